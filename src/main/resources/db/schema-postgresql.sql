-- PostgreSQL only, after schema.sql. Statements end with ';' at the end of a line; each is idempotent.

-- The ledger's key sorts in binary order whatever the database's locale: a run merges its own lines,
-- sorted in Java, against the ledger read in key order (H2 compares binary already). Changed once.
DO $$ BEGIN IF (SELECT collation_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'ledger_line' AND column_name = 'line_id') IS DISTINCT FROM 'C' THEN ALTER TABLE ledger_line ALTER COLUMN line_id TYPE VARCHAR(120) COLLATE "C"; END IF; END $$;
