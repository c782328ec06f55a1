-- The export ledger's tables as version 0.1 of ditio-payroll-sync wrote them (one row per line and target), to test the move to ledger_line.
-- The last known version of every registration seen, and what payroll should hold for it.
-- A tombstone only flags the row deleted: the last known fields stay.
CREATE TABLE IF NOT EXISTS source_record (
    company              VARCHAR(64)  NOT NULL,
    feed                 VARCHAR(32)  NOT NULL,
    record_id            VARCHAR(100) NOT NULL,
    line_id              VARCHAR(120) NOT NULL,
    work_date_text       VARCHAR(40),
    qty                  DECIMAL(24,6),
    user_id              VARCHAR(64),
    user_employee_number VARCHAR(64),
    project_number       VARCHAR(100),
    task_number          VARCHAR(100),
    description          VARCHAR(4000),
    approved             BOOLEAN,
    payroll_approved     BOOLEAN,
    modified             TIMESTAMP WITH TIME ZONE,
    deleted              BOOLEAN      NOT NULL,
    deleted_at           TIMESTAMP WITH TIME ZONE,
    status               VARCHAR(16)  NOT NULL,
    reason               VARCHAR(500),
    employee_number      VARCHAR(16),
    work_date            DATE,
    wage_type            VARCHAR(16),
    quantity             DECIMAL(9,2),
    department           VARCHAR(200),
    -- pending (to be delivered) while greater than the feed's sync_watermark.delivered_seq: a run
    -- stages with delivered_seq + 1, and its commit moves delivered_seq, so delivering a run
    -- rewrites one watermark row instead of clearing a flag on every row the run staged
    staged_seq           BIGINT       DEFAULT 0 NOT NULL,
    last_seen_run        VARCHAR(40),
    -- what a mapping row may test beyond the columns above (absenceTypeCode, overtime line codes) and
    -- the projectId, as key=value&... (URL-encoded), so a quarantined record can be mapped again
    source_fields        VARCHAR(1000),
    -- the Ditio payroll line a record is a part of (overtime line, deduction, ordinary hours); else null
    parent_id            VARCHAR(100),
    PRIMARY KEY (company, feed, record_id)
);
-- parts of a payroll line found by its id (markPartsNotSeenDeleted)
CREATE INDEX IF NOT EXISTS source_record_parent ON source_record (company, feed, parent_id);
-- the pending scan reads this index in order: no sort, and it can stop after each chunk
CREATE INDEX IF NOT EXISTS source_record_staged ON source_record (company, feed, staged_seq, record_id);
CREATE INDEX IF NOT EXISTS source_record_status ON source_record (company, feed, status);

-- The export ledger: per target, what each payroll line currently stands at in that target.
CREATE TABLE IF NOT EXISTS export_ledger (
    company          VARCHAR(64)  NOT NULL,
    target           VARCHAR(32)  NOT NULL,
    line_id          VARCHAR(120) NOT NULL,
    employee_number  VARCHAR(16),
    work_date        DATE,
    wage_type        VARCHAR(16),
    project_number   VARCHAR(100),
    task_number      VARCHAR(100),
    department       VARCHAR(200),
    text             VARCHAR(4000),
    quantity         DECIMAL(9,2) NOT NULL,
    held             BOOLEAN      NOT NULL,
    document_number  VARCHAR(20),
    version          INTEGER      NOT NULL,
    source_id        VARCHAR(100),
    source_modified  TIMESTAMP WITH TIME ZONE,
    run_id           VARCHAR(40)  NOT NULL,
    PRIMARY KEY (company, target, line_id)
);
-- a run's ledger rows in line order, read in chunks when the JDBC target is published. run_id
-- first: an index that starts (company, target) would also match the pending scan's lookup by
-- (company, target, line_id), and PostgreSQL, whose statistics call the ledger empty during a first
-- run, took it and read all of the target's rows for every record (export_ledger_run_line was that)
DROP INDEX IF EXISTS export_ledger_run_line;
CREATE INDEX IF NOT EXISTS export_ledger_of_run ON export_ledger (run_id, company, target, line_id);
