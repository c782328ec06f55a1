package no.ditiosync.app;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * The log line, as LOG_FORMAT asks: {@code text} (the default, the pattern of logback.xml) or
 * {@code json}, one object per line for log collectors, with the fields they index:
 * {@code timestamp} (ISO-8601, UTC), {@code level}, {@code logger}, {@code thread}, {@code company}
 * and {@code runId} (null outside a run; see {@link RunLogContext}), {@code message} and, when there
 * is one, {@code exception}. Logback's own JsonEncoder writes the time as epoch milliseconds and
 * nests the company and run id in an "mdc" object beside the logger context; this keeps them flat.
 */
public class LogLayout extends LayoutBase<ILoggingEvent> {

    private static final JsonFactory JSON = new JsonFactory();

    private String format = "text";
    private String pattern;
    private PatternLayout text;

    /** {@code text} or {@code json} (LOG_FORMAT; the application stops on anything else). */
    public void setFormat(String format) {
        this.format = format;
    }

    /** The text line's pattern. */
    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    @Override
    public void start() {
        if (!"json".equals(format)) {
            text = new PatternLayout();
            text.setContext(getContext());
            text.setPattern(pattern);
            text.start();
        }
        super.start();
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        // a message may carry a value from Ditio (a record id, a name), and the log is often a terminal, to which an
        // escape sequence in it would speak
        return text != null ? no.ditiosync.drops.TextCleaner.harmless(secretsHidden(oneLine(event, text.doLayout(event))))
                : json(event);
    }

    /**
     * The line with its message's line breaks escaped where the message is this application's: a line break in
     * a value from Ditio would start a line of the log that no logger wrote (a forged ERROR, say). Tabs and
     * blanks stay; control characters and what hides or reorders text are escaped for the whole line. A stack trace
     * after the message keeps its lines (but where it repeats the message), as do other libraries' messages
     * (Camel's tables, say), which quote no record.
     */
    private static String oneLine(ILoggingEvent event, String line) {
        String message = event.getFormattedMessage();
        String shown = ownLineBreaksShown(event, message);
        // every time it appears: the stack trace's first line repeats an exception's message
        return java.util.Objects.equals(shown, message) ? line : line.replace(message, shown);
    }

    /**
     * This application's message with its line breaks escaped (a value from Ditio in it could forge a line of
     * the log, in a terminal also where a collector shows a JSON log's message); other libraries' as they are.
     */
    private static String ownLineBreaksShown(ILoggingEvent event, String message) {
        if (message == null || message.indexOf('\n') < 0 && message.indexOf('\r') < 0
                || !event.getLoggerName().startsWith("no.ditiosync")) {
            return message;
        }
        return message.replace("\r", "\\r").replace("\n", "\\n");
    }

    /**
     * The line without a secret this process knows (a server may echo one in its error) or a password in a
     * URL (Camel's start-up summary lists the settings' values, a JDBC URL's password among them).
     */
    private static String secretsHidden(String line) {
        return DataSources.masked(no.ditiosync.ditio.KnownSecrets.masked(line));
    }

    static String json(ILoggingEvent event) {
        StringWriter line = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(line)) {
            Map<String, String> mdc = event.getMDCPropertyMap();
            g.writeStartObject();
            g.writeStringField("timestamp", Instant.ofEpochMilli(event.getTimeStamp()).toString());
            g.writeStringField("level", event.getLevel().toString());
            g.writeStringField("logger", event.getLoggerName());
            g.writeStringField("thread", event.getThreadName());
            g.writeStringField("company", mdc.get(RunLogContext.COMPANY));
            g.writeStringField("runId", mdc.get(RunLogContext.RUN_ID));
            // JSON's own escapes are undone by the collector that reads them: what hides or reorders text (a
            // right-to-left override from Ditio) and control characters are shown as their codes, as in the text log
            g.writeStringField("message", no.ditiosync.drops.TextCleaner.harmless(secretsHidden(
                    ownLineBreaksShown(event, event.getFormattedMessage()))));
            if (event.getThrowableProxy() != null) {
                g.writeStringField("exception", no.ditiosync.drops.TextCleaner.harmless(
                        secretsHidden(ThrowableProxyUtil.asString(event.getThrowableProxy()))));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return line.append(CoreConstants.LINE_SEPARATOR).toString();
    }
}
