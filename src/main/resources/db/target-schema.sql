-- The JDBC target of ditio-payroll-sync (H2 and PostgreSQL as written).
-- The JDBC target: the current truth of every delivered payroll line.
CREATE TABLE IF NOT EXISTS payroll_line (
    line_id          VARCHAR(120) NOT NULL,
    company          VARCHAR(64)  NOT NULL,
    employee_number  VARCHAR(16)  NOT NULL,
    work_date        DATE         NOT NULL,
    wage_type        VARCHAR(16)  NOT NULL,
    quantity         DECIMAL(9,2) NOT NULL,
    project_number   VARCHAR(100),
    task_number      VARCHAR(100),
    department       VARCHAR(200),
    text             VARCHAR(4000),
    status           VARCHAR(12)  NOT NULL,
    source           VARCHAR(32)  NOT NULL,
    source_id        VARCHAR(100) NOT NULL,
    source_modified  TIMESTAMP WITH TIME ZONE,
    run_id           VARCHAR(40)  NOT NULL,
    delivered_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (company, line_id)
);

-- The day the row's latest change is booked on: its work date, or the first open day after a closed
-- payroll period (PAYROLL_CLOSED_THROUGH). Added to the table of earlier versions in place (rows
-- delivered before have none).
ALTER TABLE payroll_line ADD COLUMN IF NOT EXISTS booked_date DATE;
