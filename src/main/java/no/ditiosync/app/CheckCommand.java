package no.ditiosync.app;

import no.ditiosync.ditio.DitioPager;
import no.ditiosync.ditio.DitioRetries;
import no.ditiosync.ditio.DitioTokenCache;
import no.ditiosync.ditio.DitioTokens;
import no.ditiosync.ditio.PageCursor;
import no.ditiosync.drops.DropTarget;
import no.ditiosync.drops.SftpDrop;
import no.ditiosync.run.FailureReason;
import no.ditiosync.state.SqlDialect;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.impl.DefaultCamelContext;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The check command: what a run needs, checked one thing per line, before the first run or after a
 * change. It reads the settings as the application does, and then only looks: the state DB is
 * opened read-only (its schema and the one-time ledger move are only reported, they run at the next
 * start), drop folders and the free space where a run writes are looked at, the SFTP server gets a
 * login and no file, and Ditio is asked for a token and one record of each endpoint the company's runs
 * read (the pager's own request, with ChunkLimit 1). Nothing is delivered and no watermark moves.
 */
final class CheckCommand {

    private static final Pattern TABLE = Pattern.compile("(?i)CREATE TABLE IF NOT EXISTS\\s+(\\w+)");

    /**
     * Less free space than this where a run writes fails the check: H2 writes a run's changes to new
     * space before it frees the old, and a first sync writes about 1 KB per registration in all.
     */
    static final long LEAST_ROOM = 64L << 20;

    private final PrintStream out;
    /** The bytes this user may still write on the file system of a folder (the test gives a full one). */
    private final ToLongFunction<Path> usableBytes;
    private int passed;
    private int failed;

    CheckCommand(PrintStream out, ToLongFunction<Path> usableBytes) {
        this.out = out;
        this.usableBytes = usableBytes;
    }

    /** @return 0 when every check passed, 1 when one failed, 2 when the settings themselves are wrong */
    static int run(PrintStream out) throws Exception {
        return new CheckCommand(out, CheckCommand::usableBytes).checkAll();
    }

    int checkAll() throws Exception {
        String location = SyncApplication.propertiesLocation();
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            List<Settings> companies;
            try {
                // before Camel reads the file, which it does as soon as it is told where it is
                Settings.refuseSecretsWrittenIn(location);
                context.getPropertiesComponent().setLocation(location);
                companies = Settings.readAll(SyncBeans.properties(context), false, SyncBeans.environmentVariables(context));
            } catch (SettingsException e) {
                fail("settings", e.getMessage());
                out.println("Fix the setting and check again; nothing else was checked.");
                return 2;
            }
            Settings shared = companies.get(0);
            for (String key : Settings.unreadKeysIn(location)) {
                out.println("WARN  settings: application.properties sets " + key + ", which no setting reads (a typo?)");
            }
            for (Settings s : companies) {
                LocalDate today = LocalDate.now(s.timeZone());
                // allowed (set up ahead of going live), but a typo of the year reads nothing, without a word
                if (s.startDate().isAfter(today)) {
                    out.println("WARN  settings: company " + s.company() + ": " + s.startDateVariable() + " " + s.startDate()
                            + " is after today (" + today + "): runs deliver nothing until then");
                }
            }
            ok("settings", companies.size() + (companies.size() == 1 ? " company (" : " companies (")
                    + String.join(", ", companies.stream().map(Settings::company).toList()) + "), read from "
                    + location.replaceFirst("^(file|classpath):", "") + (location.startsWith("classpath:")
                    ? " (packaged)" : "") + " and the environment");
            // one line per mapping file, naming the targets of every company that uses it (each was checked as read)
            Map<String, Set<String>> targetsByMapping = new LinkedHashMap<>();
            Map<String, Integer> wageTypes = new LinkedHashMap<>();
            for (Settings s : companies) {
                targetsByMapping.computeIfAbsent(s.wageTypes().origin(), k -> new LinkedHashSet<>()).addAll(s.targets());
                wageTypes.putIfAbsent(s.wageTypes().origin(), s.wageTypes().wageTypes().size());
            }
            targetsByMapping.forEach((origin, targets) -> ok("wage-type mapping " + origin, wageTypes.get(origin)
                    + " wage type(s), each fit for the targets " + String.join(", ", targets)));
            checkStateDb(shared);
            for (Settings s : companies) {
                checkDrops(s, context);
            }
            checkJdbcTargets(companies);
            checkRoom(shared, companies);
            context.start();
            configureHttp(context, shared);
            for (Settings s : companies) {
                checkDitio(s, context);
            }
        }
        if (failed == 0) {
            out.println("All " + passed + " checks passed.");
            return 0;
        }
        out.println(failed + " of " + (passed + failed) + " checks failed.");
        return 1;
    }

    private void ok(String what, String detail) {
        passed++;
        out.println("OK    " + what + ": " + detail);
    }

    private void fail(String what, String problem) {
        failed++;
        out.println("FAIL  " + what + ": " + no.ditiosync.ditio.KnownSecrets.masked(problem));
    }

    // ---- the state DB ---------------------------------------------------------------------------

    private void checkStateDb(Settings s) {
        String url = s.stateDbUrl();
        String what = "state DB " + DataSources.masked(url);
        if (h2FileNotMadeYet(url, what, "no state DB", "the first run", DataSources.Keys.STATE_DB)) {
            return;
        }
        // read-only: a check writes nothing, and never makes a database that is not there
        try (Connection c = DataSources.connect(url, DataSources.H2_EXISTING + DataSources.H2_READ_ONLY, s.stateDbUser(),
                s.stateDbPassword(), DataSources.Keys.STATE_DB)) {
            c.setReadOnly(true);
            SqlDialect dialect = SqlDialect.of(c);
            try {
                no.ditiosync.state.StateDbLayout.refuseNewer(c, dialect, Version.text());
            } catch (no.ditiosync.state.StateDbLayout.NewerLayoutException e) {
                fail(what, e.getMessage());
                return;
            }
            List<String> missing = new ArrayList<>();
            for (String table : tables("/db/schema.sql", "/db/target-schema.sql")) {
                if (rows(c, table) < 0) {
                    missing.add(table);
                }
            }
            String layout = "";
            long oldLedger = rows(c, "export_ledger");
            if (oldLedger >= 0 && rows(c, "ledger_line") <= 0) {
                layout = "; it holds the export ledger of an earlier version (" + oldLedger + " rows): the next start "
                        + "moves it to the new layout, once, keeping what every target received";
            }
            if (missing.isEmpty()) {
                ok(what, "reached, its tables are all there" + layout);
            } else if (dialect == SqlDialect.POSTGRESQL && !mayCreateTables(c)) {
                fail(what, "reached, but table(s) " + String.join(", ", missing) + " are missing and user '"
                        + c.getMetaData().getUserName() + "' may not create tables in its schema; grant it CREATE "
                        + "(or run the first start once as the owner)");
            } else {
                ok(what, "reached; the next start creates table(s) " + String.join(", ", missing) + layout);
            }
        } catch (SettingsException e) {
            fail(what, e.getMessage());
        } catch (SQLException e) {
            fail(what, e.getMessage());
        }
    }

    /** The tables the bundled schema scripts create. */
    private static List<String> tables(String... scripts) {
        List<String> tables = new ArrayList<>();
        for (String script : scripts) {
            try (InputStream in = CheckCommand.class.getResourceAsStream(script)) {
                Matcher m = TABLE.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                while (m.find()) {
                    tables.add(m.group(1).toLowerCase(java.util.Locale.ROOT));
                }
            } catch (IOException | NullPointerException e) {
                throw new IllegalStateException("the bundled " + script + " cannot be read", e);
            }
        }
        return tables;
    }

    /** The table's row count, or -1 when there is no such table. */
    private static long rows(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            if (SqlDialect.of(c).isUndefinedTable(e)) {
                return -1;
            }
            throw e;
        }
    }

    private static boolean mayCreateTables(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT has_schema_privilege(current_schema(), 'CREATE')")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    // ---- drops ------------------------------------------------------------------------------------

    private void checkDrops(Settings s, DefaultCamelContext context) {
        String company = s.company();
        for (String target : s.targets()) {
            if (target.equals(DropTarget.JDBC)) {
                continue;
            }
            Path folder = s.dropDir().resolve(target);
            String what = "company " + company + ", " + target + " drops in " + folder + (s.sftp() == null ? "" : " (staged)");
            if (Files.isDirectory(folder)) {
                if (Files.isWritable(folder)) {
                    ok(what, "the folder can be written");
                } else {
                    fail(what, "the folder cannot be written by this user; give it write permission, or set PAYROLL_DROP_DIR");
                }
            } else if (Files.exists(folder)) {
                fail(what, "a file of that name is in the way of the folder; move it, or set PAYROLL_DROP_DIR");
            } else {
                Path existing = nearestExisting(folder);
                if (existing != null && Files.isDirectory(existing) && Files.isWritable(existing)) {
                    ok(what, "not there yet; the first drop makes it");
                } else {
                    fail(what, "cannot be made: " + (existing == null ? folder : existing)
                            + (existing != null && !Files.isDirectory(existing) ? " is a file" : " cannot be written")
                            + "; set PAYROLL_DROP_DIR");
                }
            }
        }
        if (s.sftp() != null) {
            String what = "company " + company + ", SFTP server " + s.sftp().server();
            try {
                ok(what, new SftpDrop(s.sftp(), context).check());
            } catch (IOException e) {
                fail(what, e.getMessage());
            }
        }
    }

    // ---- room on the disks a run writes to --------------------------------------------------------

    /** The H2 state DB's folder, each drop folder and the runs' scratch folder: free space, once each. */
    private void checkRoom(Settings shared, List<Settings> companies) {
        Map<Path, String> folders = new LinkedHashMap<>();
        Path stateDb = DataSources.h2File(shared.stateDbUrl());
        if (stateDb != null) {
            folders.put(stateDb.getParent(), "the state DB");
        }
        for (Settings s : companies) {
            folders.putIfAbsent(s.dropDir().toAbsolutePath(), "drops");
        }
        folders.putIfAbsent(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath(), "a run's scratch files (java.io.tmpdir)");
        folders.forEach((folder, purpose) -> {
            Path existing = nearestExisting(folder);
            if (existing == null) {
                return; // its own check above says the folder cannot be made
            }
            long free = usableBytes.applyAsLong(existing);
            String what = "room for " + purpose + " in " + folder;
            String mb = String.format(java.util.Locale.ROOT, "%,d MB free", free >> 20);
            if (free < 0) {
                ok(what, "its file system does not say how much is free");
            } else if (free < LEAST_ROOM) {
                fail(what, mb + ", under the " + (LEAST_ROOM >> 20) + " MB a run may need; make room there: "
                        + "until then a run that meets the full disk fails");
            } else {
                ok(what, mb);
            }
        });
    }

    /**
     * An H2 file that does not exist yet (a fresh install): OK when {@code firstWrite} can make it, as it
     * makes its folder, else a FAIL naming the setting. Nothing is made.
     *
     * @return whether {@code url} names such a file (it has been reported then)
     */
    private boolean h2FileNotMadeYet(String url, String what, String none, String firstWrite, DataSources.Keys keys) {
        Path base = DataSources.h2File(url);
        if (base == null || Files.exists(Path.of(base + ".mv.db"))) {
            return false;
        }
        Path folder = base.getParent();
        Path existing = nearestExisting(folder);
        if (existing != null && Files.isDirectory(existing) && Files.isWritable(existing)) {
            ok(what, "none yet; " + firstWrite + " makes it (its folder " + folder + " can be written)");
        } else {
            fail(what, none + " yet, and its folder " + folder + " cannot be made here (" + keys.url() + ")");
        }
        return true;
    }

    /** {@code folder}, or the nearest of its parents that exists (null: none does). */
    private static Path nearestExisting(Path folder) {
        Path existing = folder;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing;
    }

    private static long usableBytes(Path folder) {
        try {
            return Files.getFileStore(folder).getUsableSpace();
        } catch (IOException e) {
            return -1; // a file system that does not say
        }
    }

    /** Each JDBC target of its own (not the state DB), once. */
    private void checkJdbcTargets(List<Settings> companies) {
        Map<String, Settings> targets = new LinkedHashMap<>();
        for (Settings s : companies) {
            if (s.targets().contains(DropTarget.JDBC) && !s.jdbcUrl().isEmpty()) {
                targets.putIfAbsent(s.jdbcUrl(), s);
            }
        }
        targets.forEach((url, s) -> {
            String what = "JDBC target " + DataSources.masked(url);
            if (h2FileNotMadeYet(url, what, "no database", "the first delivery", DataSources.Keys.JDBC_TARGET)) {
                return;
            }
            try (Connection c = DataSources.connect(url, DataSources.H2_READ_ONLY, s.jdbcUser(), s.jdbcPassword(),
                    DataSources.Keys.JDBC_TARGET)) {
                c.setReadOnly(true);
                long rows = rows(c, "payroll_line");
                ok(what, rows < 0 ? "reached; the first delivery creates table payroll_line"
                        : "reached, table payroll_line holds " + rows + " row(s)");
            } catch (SettingsException | SQLException e) {
                fail(what, e.getMessage());
            }
        });
    }

    // ---- Ditio ------------------------------------------------------------------------------------

    /** camel-http as the runs use it (application.properties sets the same): our timeouts, no retries of its own. */
    private static void configureHttp(DefaultCamelContext context, Settings s) {
        HttpComponent http = context.getComponent("http", HttpComponent.class);
        http.setConnectTimeout(s.connectTimeout().toMillis());
        http.setSoTimeout(s.readTimeout().toMillis());
        http.setResponseTimeout(s.readTimeout().toMillis());
        http.setAutomaticRetriesDisabled(true);
        context.getComponent("https", HttpComponent.class);
    }

    /**
     * A token, then one record of each endpoint the company's runs read: the users, the projects and
     * each registration feed (PAYROLL_SOURCE, PAYROLL_ABSENCES), asked for as a full pass from the
     * start date would ask for its first page, with ChunkLimit 1.
     */
    private void checkDitio(Settings s, DefaultCamelContext http) {
        String company = s.company();
        DitioTokenCache cache = new DitioTokenCache(s.clientId(), s.clientSecret(), s.scope(), Clock.systemUTC(),
                s.credentialSettings());
        DitioTokens tokens = new DitioTokens(Map.of(company, new DitioTokens.Client(s.identityBase(), cache)));
        String tokenUri = tokens.tokenUri(company);
        String what = "company " + company + ", Ditio token from " + tokenUri;
        Exchange answer = call(http, tokenUri + "?httpMethod=POST&throwExceptionOnFailure=false", e -> {
            e.getIn().setHeader(Exchange.CONTENT_TYPE, "application/x-www-form-urlencoded");
            e.getIn().setBody(cache.tokenRequestBody());
        });
        try {
            if (answer.getException() != null) {
                fail(what, DitioRetries.describeFailure(answer.getException(), tokenUri, "DITIO_IDENTITY_BASE"));
                return;
            }
            // as the token route hands it over: the answer's headers say whether only its JSON can show a cut
            tokens.accept(company, answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class),
                    answer.getMessage().getBody(InputStream.class), answer.getMessage().getHeader("Content-Length", String.class),
                    answer.getMessage().getHeader("Transfer-Encoding", String.class));
            ok(what, "granted (scope " + s.scope() + ")");
        } catch (EOFException e) {
            fail(what, DitioRetries.describeFailure(e, tokenUri, "DITIO_IDENTITY_BASE"));
            return;
        } catch (RuntimeException e) {
            fail(what, FailureReason.of(e));
            return;
        }
        DitioPager pager = new DitioPager(Map.of(company, new DitioPager.Source(s.reportingBase(), 1)), s.maxPageBytes());
        List<String> feeds = new ArrayList<>(List.of(DitioPager.USER_FEED, DitioPager.PROJECT_FEED));
        feeds.addAll(s.feeds());
        LocalDate today = LocalDate.now(s.timeZone());
        for (String feed : feeds) {
            boolean metadata = feed.equals(DitioPager.USER_FEED) || feed.equals(DitioPager.PROJECT_FEED);
            PageCursor cursor = pager.cursor(company, feed, null, metadata ? null : s.startDate(),
                    metadata ? null : today.isBefore(s.startDate()) ? s.startDate() : today);
            checkPage(company, cursor, pager, cache, http);
        }
    }

    /**
     * One HTTP call through camel-http, its answer left open to read: a ProducerTemplate would end the
     * exchange, and close the answer's stream, before it is read. A failure is the exchange's exception.
     */
    private static Exchange call(DefaultCamelContext context, String uri, java.util.function.Consumer<Exchange> prepare) {
        org.apache.camel.Endpoint endpoint = context.getEndpoint(uri);
        Exchange exchange = endpoint.createExchange();
        prepare.accept(exchange);
        try {
            org.apache.camel.Producer producer = endpoint.createProducer();
            producer.start();
            producer.process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        return exchange;
    }

    private void checkPage(String company, PageCursor cursor, DitioPager pager, DitioTokenCache cache,
                           DefaultCamelContext http) {
        String url = cursor.base() + cursor.path();
        String what = "company " + company + ", Ditio " + url;
        Exchange page = call(http, cursor.base() + "?httpMethod=GET&throwExceptionOnFailure=false&disableStreamCache=true",
                e -> {
                    e.getIn().setHeader("Authorization", cache.authorization());
                    e.getIn().setHeader("Accept", "application/json");
                    e.getIn().setHeader(Exchange.HTTP_PATH, cursor.path());
                    e.getIn().setHeader(Exchange.HTTP_QUERY, cursor.query());
                });
        try {
            if (page.getException() != null) {
                fail(what, DitioRetries.describeFailure(page.getException(), url, "DITIO_REPORTING_BASE"));
                return;
            }
            // reads and closes the answer, and explains a status that is not 200 as a run would
            List<?> records = pager.read(page, cursor, true);
            ok(what, records.isEmpty() ? "answered, with no record (" + cursor.query().replace('&', ' ') + ")"
                    : "answered with a record");
        } catch (Exception e) {
            fail(what, e instanceof org.apache.camel.http.base.HttpOperationFailedException h
                    ? "Ditio answered HTTP " + h.getStatusCode() + "; a run would retry this, try the check again later"
                    : FailureReason.of(e));
        }
    }
}
