package no.ditiosync.app;

/**
 * Every setting's property key and environment variable, as start-up messages name them. A
 * per-company key can be set for one company as {@code company.<key>.<property>}; a shared key is
 * the same for every company.
 */
enum SettingKey {
    IDENTITY_BASE("ditio.identity-base", "DITIO_IDENTITY_BASE", true),
    REPORTING_BASE("ditio.reporting-base", "DITIO_REPORTING_BASE", true),
    CLIENT_ID("ditio.client-id", "DITIO_CLIENT_ID", true),
    CLIENT_SECRET("ditio.client-secret", "DITIO_CLIENT_SECRET", true),
    SCOPE("ditio.scope", null, true),
    CHUNK_LIMIT("ditio.chunk-limit", "DITIO_CHUNK_LIMIT", true),
    MAX_PAGE_BYTES("ditio.max-page-bytes", "DITIO_MAX_PAGE_BYTES", false),
    ALLOW_HTTP("ditio.allow-insecure-http", "DITIO_ALLOW_INSECURE_HTTP", false),
    COMPANIES("payroll.companies", "PAYROLL_COMPANIES", false),
    COMPANY("payroll.company", "PAYROLL_COMPANY", false),
    START_DATE("payroll.start-date", "PAYROLL_START_DATE", true),
    MAX_FUTURE_DAYS("payroll.max-future-days", "PAYROLL_MAX_FUTURE_DAYS", true),
    CLOSED_THROUGH("payroll.closed-through", "PAYROLL_CLOSED_THROUGH", true),
    APPROVAL("payroll.approval", "PAYROLL_APPROVAL", true),
    TARGETS("payroll.targets", "PAYROLL_TARGETS", true),
    DROP_DIR("payroll.drop-dir", "PAYROLL_DROP_DIR", true),
    WAGE_TYPES("payroll.wage-types", "PAYROLL_WAGE_TYPES", true),
    STATE_DB_URL("payroll.state-db-url", "PAYROLL_STATE_DB_URL", false),
    STATE_DB_USER("payroll.state-db-user", "PAYROLL_STATE_DB_USER", false),
    STATE_DB_PASSWORD("payroll.state-db-password", "PAYROLL_STATE_DB_PASSWORD", false),
    JDBC_URL("payroll.jdbc-url", "PAYROLL_JDBC_URL", true),
    JDBC_USER("payroll.jdbc-user", "PAYROLL_JDBC_USER", true),
    JDBC_PASSWORD("payroll.jdbc-password", "PAYROLL_JDBC_PASSWORD", true),
    VISMA_YEAR("payroll.visma.payroll-year", "PAYROLL_VISMA_YEAR", true),
    VISMA_RUN("payroll.visma.payroll-run", "PAYROLL_VISMA_RUN", true),
    VISMA_ENCODING("payroll.visma.encoding", "PAYROLL_VISMA_ENCODING", true),
    TRIPLETEX_ENCODING("payroll.tripletex.encoding", "PAYROLL_TRIPLETEX_ENCODING", true),
    VISMA_AGGREGATION("payroll.visma.aggregation", "PAYROLL_VISMA_AGGREGATION", true),
    TRIPLETEX_AGGREGATION("payroll.tripletex.aggregation", "PAYROLL_TRIPLETEX_AGGREGATION", true),
    CSV_AGGREGATION("payroll.csv.aggregation", "PAYROLL_CSV_AGGREGATION", true),
    SAP_AGGREGATION("payroll.sap.aggregation", "PAYROLL_SAP_AGGREGATION", true),
    DONE_MARKER("payroll.done-marker", "PAYROLL_DONE_MARKER", true),
    CRON("sync.cron", "SYNC_CRON", true),
    TIME_ZONE("sync.time-zone", "SYNC_TIME_ZONE", true),
    OVERLAP("sync.overlap", "SYNC_OVERLAP", true),
    CLUSTERED("sync.clustered", "SYNC_CLUSTERED", false),
    CLUSTER_CHECKIN("sync.cluster-checkin-interval", "SYNC_CLUSTER_CHECKIN_INTERVAL", false),
    RETRY_MAX_ATTEMPTS("ditio.retry.max-attempts", "DITIO_RETRY_MAX_ATTEMPTS", false),
    RETRY_MAX_PER_RUN("ditio.retry.max-per-run", "DITIO_RETRY_MAX_PER_RUN", false),
    RETRY_INITIAL_DELAY("ditio.retry.initial-delay", "DITIO_RETRY_INITIAL_DELAY", false),
    RETRY_MAX_DELAY("ditio.retry.max-delay", "DITIO_RETRY_MAX_DELAY", false),
    RETRY_AFTER_MAX("ditio.retry-after-max", "DITIO_RETRY_AFTER_MAX", false),
    CONNECT_TIMEOUT("ditio.connect-timeout", "DITIO_CONNECT_TIMEOUT", false),
    READ_TIMEOUT("ditio.read-timeout", "DITIO_READ_TIMEOUT", false),
    FILE_MODE("payroll.file-mode", "PAYROLL_FILE_MODE", true),
    OBSERVE_PORT("observe.port", "OBSERVE_PORT", false),
    OBSERVE_HOST("observe.host", "OBSERVE_HOST", false),
    OBSERVE_USER("observe.user", "OBSERVE_USER", false),
    OBSERVE_PASSWORD("observe.password", "OBSERVE_PASSWORD", false),
    OBSERVE_SERVER("observe.server", null, false),
    REPORT_DIR("sync.report-dir", "SYNC_REPORT_DIR", false),
    REPORT_KEEP("sync.report-keep", "SYNC_REPORT_KEEP", false),
    SFTP_URL("payroll.sftp.url", "PAYROLL_SFTP_URL", true),
    SFTP_USER("payroll.sftp.user", "PAYROLL_SFTP_USER", true),
    SFTP_PASSWORD("payroll.sftp.password", "PAYROLL_SFTP_PASSWORD", true),
    SFTP_PRIVATE_KEY("payroll.sftp.private-key-file", "PAYROLL_SFTP_PRIVATE_KEY_FILE", true),
    SFTP_PASSPHRASE("payroll.sftp.private-key-passphrase", "PAYROLL_SFTP_PRIVATE_KEY_PASSPHRASE", true),
    SFTP_KNOWN_HOSTS("payroll.sftp.known-hosts", "PAYROLL_SFTP_KNOWN_HOSTS", true),
    SFTP_CONNECT_TIMEOUT("payroll.sftp.connect-timeout", "PAYROLL_SFTP_CONNECT_TIMEOUT", true),
    SFTP_TIMEOUT("payroll.sftp.timeout", "PAYROLL_SFTP_TIMEOUT", true),
    SFTP_MAX_ATTEMPTS("payroll.sftp.max-attempts", "PAYROLL_SFTP_MAX_ATTEMPTS", true),
    SFTP_RETRY_DELAY("payroll.sftp.retry-delay", "PAYROLL_SFTP_RETRY_DELAY", true),
    ABSENCES("payroll.absences", "PAYROLL_ABSENCES", true),
    SOURCE("payroll.source", "PAYROLL_SOURCE", true),
    RECONCILE_CRON("sync.reconcile-cron", "RECONCILE_CRON", true);

    final String property;
    /** the environment variable that overrides it, or null for a property only */
    final String env;
    final boolean perCompany;

    SettingKey(String property, String env, boolean perCompany) {
        this.property = property;
        this.env = env;
        this.perCompany = perCompany;
    }

    String label() {
        return env == null ? property : env + " (" + property + ")";
    }

    /** The settings whose values are secrets. */
    static final java.util.Set<SettingKey> SECRETS = java.util.EnumSet.of(CLIENT_SECRET, STATE_DB_PASSWORD, JDBC_PASSWORD,
            OBSERVE_PASSWORD, SFTP_PASSWORD, SFTP_PASSPHRASE);

    /**
     * The secrets' keys as Camel's sensitive keywords (the last part of the key, lower case, no dashes):
     * Camel masks only its own list in what it logs, which has "password" but not "state-db-password" or
     * "private-key-passphrase", and its start-up summary of the settings printed those in clear.
     */
    static String sensitiveKeywords() {
        return SECRETS.stream().map(k -> k.property.substring(k.property.lastIndexOf('.') + 1).replace("-", ""))
                .distinct().sorted().collect(java.util.stream.Collectors.joining(","));
    }
}
