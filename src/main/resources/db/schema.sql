-- State DB of ditio-payroll-sync. Runs on H2 and PostgreSQL as written: only portable types.
-- Statements are separated by ';' at the end of a line; every one is idempotent.

-- Where the incremental sync of each feed stands: the start instant of the last complete pass.
CREATE TABLE IF NOT EXISTS sync_watermark (
    company      VARCHAR(64)  NOT NULL,
    feed         VARCHAR(32)  NOT NULL,
    watermark    TIMESTAMP WITH TIME ZONE NOT NULL,
    run_id       VARCHAR(40)  NOT NULL,
    -- the staging number of the last committed run: source_record rows staged with a higher one are pending
    delivered_seq BIGINT      DEFAULT 0 NOT NULL,
    PRIMARY KEY (company, feed)
);

-- One row per feed: held FOR UPDATE by the run in progress, so two runs of a feed never overlap.
CREATE TABLE IF NOT EXISTS sync_lock (
    company      VARCHAR(64)  NOT NULL,
    feed         VARCHAR(32)  NOT NULL,
    PRIMARY KEY (company, feed)
);

-- Ditio users (/v1/user), for employee numbers and departments.
CREATE TABLE IF NOT EXISTS ditio_user (
    company          VARCHAR(64)  NOT NULL,
    identity_user_id VARCHAR(64)  NOT NULL,
    user_id          VARCHAR(64),
    employee_number  VARCHAR(64),
    department       VARCHAR(200),
    modified         TIMESTAMP WITH TIME ZONE,
    deleted          BOOLEAN      NOT NULL,
    -- employee number or department changed since the last committed run: map the user's records again
    remap_pending    BOOLEAN      DEFAULT FALSE NOT NULL,
    PRIMARY KEY (company, identity_user_id)
);

-- Ditio projects (/v1/project), to fill the project number of a record that carries only its
-- projectId. A deleted project is kept as last known: registrations may still point to it.
CREATE TABLE IF NOT EXISTS ditio_project (
    company          VARCHAR(64)  NOT NULL,
    project_id       VARCHAR(64)  NOT NULL,
    project_number   VARCHAR(100),
    name             VARCHAR(200),
    modified         TIMESTAMP WITH TIME ZONE,
    deleted          BOOLEAN      NOT NULL,
    PRIMARY KEY (company, project_id)
);

-- Drops committed with the ledger and not yet (or already) published: the outbox.
CREATE TABLE IF NOT EXISTS drop_outbox (
    run_id        VARCHAR(40)   NOT NULL,
    target        VARCHAR(32)   NOT NULL,
    company       VARCHAR(64)   NOT NULL,
    temp_path     VARCHAR(1000),
    final_path    VARCHAR(1000),
    line_count    INTEGER       NOT NULL,
    status        VARCHAR(12)   NOT NULL,
    published_at  TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (run_id, target)
);

-- Records that are payroll-ready but cannot become a payroll line, with the reason.
CREATE TABLE IF NOT EXISTS quarantine (
    company        VARCHAR(64)  NOT NULL,
    feed           VARCHAR(32)  NOT NULL,
    record_id      VARCHAR(100) NOT NULL,
    reason         VARCHAR(500) NOT NULL,
    work_date      DATE,
    user_id        VARCHAR(64),
    first_run_id   VARCHAR(40),
    -- the run that last found the record changed (its reason, or the record as Ditio sent it)
    last_run_id    VARCHAR(40)  NOT NULL,
    PRIMARY KEY (company, feed, record_id)
);

-- The run log.
CREATE TABLE IF NOT EXISTS sync_run (
    run_id           VARCHAR(40)  NOT NULL PRIMARY KEY,
    company          VARCHAR(64)  NOT NULL,
    feed             VARCHAR(32)  NOT NULL,
    mode             VARCHAR(16)  NOT NULL,
    started_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at         TIMESTAMP WITH TIME ZONE,
    outcome          VARCHAR(16)  NOT NULL,
    pages            INTEGER,
    records_read     BIGINT,
    deleted_read     BIGINT,
    lines_delivered  VARCHAR(400),
    quarantined      INTEGER,
    message          VARCHAR(1000),
    -- the process (host/pid) the run ran in, and the Quartz firing it answered (null: started by hand)
    node             VARCHAR(200),
    scheduled_for    TIMESTAMP WITH TIME ZONE
);

-- The fencing token of each feed lock: one more every time a run takes the lock (sync_lock). A
-- run's delivery, and each page it stores, commit only while the token is still the one the run
-- took, checked in the same transaction (the row read FOR UPDATE). A run whose lock went with its
-- connection (a database restart, a failover, a proxy timeout) while it went on can then write
-- nothing once another run has taken the lock. A table of its own, not a column of sync_lock:
-- that row is held FOR UPDATE by the running run for its whole length.
CREATE TABLE IF NOT EXISTS sync_fence (
    company      VARCHAR(64)  NOT NULL,
    feed         VARCHAR(32)  NOT NULL,
    epoch        BIGINT       NOT NULL,
    PRIMARY KEY (company, feed)
);

-- The export ledger: one row per payroll line, holding the line as last delivered and what each
-- target holds of it (column targets: "visma:3:H;sap:2:R:<document>", H held, R reversed; a target
-- whose line differs from the row's, being switched off while the line changed, has it in stale_lines).
-- user_id, reg_employee_number and source_fields are the mapping inputs that let a line be mapped
-- again when its user's employee number or department changes. line_id sorts in binary order (see
-- schema-postgresql.sql): a run reads and writes the ledger in that order, merged with its own lines.
CREATE TABLE IF NOT EXISTS ledger_line (
    company              VARCHAR(64)  NOT NULL,
    line_id              VARCHAR(120) NOT NULL,
    employee_number      VARCHAR(16),
    work_date            DATE,
    wage_type            VARCHAR(16),
    project_number       VARCHAR(100),
    task_number          VARCHAR(100),
    department           VARCHAR(200),
    text                 VARCHAR(4000),
    quantity             DECIMAL(9,2) NOT NULL,
    source_modified      TIMESTAMP WITH TIME ZONE,
    user_id              VARCHAR(64),
    reg_employee_number  VARCHAR(64),
    source_fields        VARCHAR(1000),
    targets              VARCHAR(1000) NOT NULL,
    stale_lines          VARCHAR(20000),
    version              INTEGER      NOT NULL,
    run_id               VARCHAR(40)  NOT NULL,
    PRIMARY KEY (company, line_id)
);
-- No index on user_id: a secondary index keyed at random costs H2 three times the row's own insert
-- (measured: 7 -> 24 us a row). The rare run after a user's employee number or department changed
-- finds the user's lines through ledger_user_lines instead.

-- Which ledger lines each user has: each run that gives lines a user (new lines, or lines whose user
-- changed) adds a row per user before it commits (batch: the run's fencing token; part: 1000 ids a
-- row at most; line_ids: the ids, each written as LineFields writes a text, a GUID in it as 16
-- bytes). A run that would give a user more than 16 rows writes all the user's ids again as its own
-- rows, then deletes the older ones. A row may name a line that is no longer the user's (its run
-- failed, or the line moved to another user since), never miss one: a line read through it counts
-- only when its ledger row names the user.
CREATE TABLE IF NOT EXISTS ledger_user_lines (
    company      VARCHAR(64)  NOT NULL,
    user_id      VARCHAR(64)  NOT NULL,
    batch        BIGINT       NOT NULL,
    part         INTEGER      NOT NULL,
    line_ids     BYTEA        NOT NULL,
    PRIMARY KEY (company, user_id, batch, part)
);
-- The companies whose every ledger line is in ledger_user_lines. A ledger written by an earlier
-- version is added by its company's next run that writes the ledger; until then a re-map reads the ledger.
CREATE TABLE IF NOT EXISTS ledger_user_lines_complete (
    company      VARCHAR(64)  NOT NULL,
    PRIMARY KEY (company)
);

-- Before-images of the ledger rows a run changed, one row per write chunk, deleted once the run's commit
-- marked its sync_run row committed: rows of a run not marked committed are put back before the next run
-- reads; rows of a committed run (a crash came between its commit and the delete) are deleted then.
CREATE TABLE IF NOT EXISTS ledger_undo (
    company      VARCHAR(64)  NOT NULL,
    run_id       VARCHAR(40)  NOT NULL,
    chunk        INTEGER      NOT NULL,
    data         BYTEA        NOT NULL,
    PRIMARY KEY (company, run_id, chunk)
);

-- A quarantined record as Ditio last sent it, so every run can map it again (the mapping or the
-- user may have been fixed since). Added to the quarantine table of earlier versions in place.
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS work_date_text VARCHAR(40);
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS qty DECIMAL(24,6);
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS user_name VARCHAR(200);
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS user_employee_number VARCHAR(64);
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS project_number VARCHAR(100);
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS task_number VARCHAR(100);
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS description VARCHAR(4000);
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS approved BOOLEAN;
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS payroll_approved BOOLEAN;
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS modified TIMESTAMP WITH TIME ZONE;
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS source_fields VARCHAR(1000);
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS parent_id VARCHAR(100);

-- Hours and lines each target holds per work date, net of every correction: kept with the ledger in
-- each run's commit, so status and the operator's page read a few rows instead of the whole ledger.
CREATE TABLE IF NOT EXISTS delivered_hours (
    company      VARCHAR(64)  NOT NULL,
    target       VARCHAR(32)  NOT NULL,
    work_date    DATE         NOT NULL,
    hours        DECIMAL(14,2) NOT NULL,
    lines        BIGINT       NOT NULL,
    PRIMARY KEY (company, target, work_date)
);

-- What a run did, for status, the run reports and the operator's page: whether its ledger committed,
-- its lines per target as new, corrected, reversed and released from quarantine
-- ("visma=12/3/1/0,sap=..."), and its quarantine as newly in, released and still open ("4/2/60").
ALTER TABLE sync_run ADD COLUMN IF NOT EXISTS committed BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE sync_run ADD COLUMN IF NOT EXISTS line_counts VARCHAR(1000);
ALTER TABLE sync_run ADD COLUMN IF NOT EXISTS quarantine_counts VARCHAR(100);

-- The targets of a committed run, "visma,sap" (null for a run of an earlier version), and those of them
-- still behind on lines changed while they were switched off, which the run could not bring up to date
-- (a feed not deployed): the next run catches those up again (CatchUp).
ALTER TABLE sync_run ADD COLUMN IF NOT EXISTS targets VARCHAR(1000);
ALTER TABLE sync_run ADD COLUMN IF NOT EXISTS targets_behind VARCHAR(1000);

-- The order drops were committed in, the order they are delivered in (an earlier run's JDBC rows before a later one's).
ALTER TABLE drop_outbox ADD COLUMN IF NOT EXISTS committed_at TIMESTAMP WITH TIME ZONE;
-- drops an earlier version committed (before committed_at existed) go first
UPDATE drop_outbox SET committed_at = TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00' WHERE committed_at IS NULL;

-- The last runs of a company, newest first, for status and the operator's page: read along this index
-- (ORDER BY company, feed, started_at DESC, so that H2 too reads it in order and stops at the LIMIT),
-- a few rows whatever the length of the run log.
CREATE INDEX IF NOT EXISTS sync_run_newest_first ON sync_run (company, feed, started_at DESC);
-- The open quarantine by reason, for the operator's page: counted per reason and its first records
-- listed in this order without sorting the whole quarantine.
CREATE INDEX IF NOT EXISTS quarantine_by_reason ON quarantine (company, reason, work_date, feed, record_id);
-- A company's drops not yet published, for status and the operator's page: found without reading the
-- outbox rows of every drop ever published.
CREATE INDEX IF NOT EXISTS drop_outbox_unpublished ON drop_outbox (company, status);

-- The user's name as Ditio gives it, so what the payroll officer reads names the worker, not only a number.
ALTER TABLE ditio_user ADD COLUMN IF NOT EXISTS name VARCHAR(200);

-- The settings the company's delivered lines were made by (PAYROLL_SOURCE, PAYROLL_APPROVAL,
-- PAYROLL_START_DATE, a SHA-256 of the wage-type mapping's rows), written by each sync run that read
-- every feed. A run that finds them changed reads every feed in full (LineRules).
CREATE TABLE IF NOT EXISTS sync_line_rules (
    company         VARCHAR(64)  NOT NULL,
    payroll_source  VARCHAR(32)  NOT NULL,
    approval        VARCHAR(32)  NOT NULL,
    start_date      DATE         NOT NULL,
    mapping_digest  VARCHAR(64)  NOT NULL,
    run_id          VARCHAR(40)  NOT NULL,
    PRIMARY KEY (company)
);

-- Closed payroll periods: every closing made by the close-period command, with who and when, and every
-- PAYROLL_CLOSED_THROUGH a committed run applied (applied_setting). A line
-- whose work date is on or before the latest date is booked on the first open day after it (the
-- formats with a date: Tripletex, SAP, the generic CSV's bookedDate, payroll_line.booked_date).
CREATE TABLE IF NOT EXISTS closed_period (
    company         VARCHAR(64)  NOT NULL,
    closed_through  DATE         NOT NULL,
    closed_by       VARCHAR(200) NOT NULL,
    closed_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (company, closed_at, closed_through)
);

-- The variable a run applied its closing from (PAYROLL_CLOSED_THROUGH or a company's own); null for a
-- close-period closing. Kept so that a setting lowered or removed later never reopens what runs closed.
ALTER TABLE closed_period ADD COLUMN IF NOT EXISTS applied_setting VARCHAR(200);

-- The layout of these tables a build last brought the state DB up to, and which build (StateDbLayout): a
-- build that knows an older layout refuses to open it, rather than misread or undo what it does not know.
CREATE TABLE IF NOT EXISTS state_db_layout (
    id           INT          NOT NULL PRIMARY KEY,
    layout       INT          NOT NULL,
    written_by   VARCHAR(200) NOT NULL,
    written_at   TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Every /v1/user profile seen (a user may have several, all under one identityUserId), so that the one
-- ditio_user keeps is the one ranking first of all of them (DirectoryStore): a profile that loses its
-- number gives way to another profile's number, whatever the order the profiles came in.
CREATE TABLE IF NOT EXISTS ditio_user_profile (
    company          VARCHAR(64)  NOT NULL,
    identity_user_id VARCHAR(64)  NOT NULL,
    profile_id       VARCHAR(64)  NOT NULL,
    employee_number  VARCHAR(64),
    department       VARCHAR(200),
    modified         TIMESTAMP WITH TIME ZONE,
    deleted          BOOLEAN      NOT NULL,
    name             VARCHAR(200),
    PRIMARY KEY (company, identity_user_id, profile_id)
);
-- A state DB of layout 1 knew one profile per user: its companies read /v1/user in full at their next run
-- (their user watermark goes), so that every profile is known; then the profile each user kept is copied.
DELETE FROM sync_watermark w WHERE w.feed = 'user' AND EXISTS (SELECT 1 FROM ditio_user u WHERE u.company = w.company)
AND NOT EXISTS (SELECT 1 FROM ditio_user_profile p WHERE p.company = w.company);
INSERT INTO ditio_user_profile (company, identity_user_id, profile_id, employee_number, department, modified, deleted, name)
SELECT company, identity_user_id, COALESCE(user_id, ''), employee_number, department, modified, deleted, name FROM ditio_user u
WHERE NOT EXISTS (SELECT 1 FROM ditio_user_profile p WHERE p.company = u.company AND p.identity_user_id = u.identity_user_id);
