package no.ditiosync.run;

import org.springframework.jdbc.datasource.AbstractDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * camel-sql's data source of {@code payroll_line} (bean {@code payrollDb}): the JDBC target of the
 * drop being delivered on this thread ({@link Deliveries#jdbcTarget}). One endpoint, made when its
 * route starts, so serves every company's JDBC target: a toD would make an endpoint at its first use,
 * which Camel refuses once it is stopping, and a stop lets the run in progress finish.
 */
public final class PayrollDb extends AbstractDataSource {

    static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private final Map<String, DataSource> byName;
    private final DataSource first;

    /** @param byName the JDBC targets' pools by the name {@link Deliveries.Company#tableBean} gives them */
    public PayrollDb(Map<String, DataSource> byName, DataSource fallback) {
        this.byName = Map.copyOf(byName);
        this.first = byName.isEmpty() ? fallback : byName.values().iterator().next();
    }

    private DataSource current() {
        String name = CURRENT.get();
        return name == null ? first : byName.getOrDefault(name, first);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return current().getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return current().getConnection(username, password);
    }
}
