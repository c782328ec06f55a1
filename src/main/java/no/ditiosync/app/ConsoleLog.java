package no.ditiosync.app;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;

/**
 * The console appender of logback.xml. On a terminal, {@code sync --once} keeps a progress line on
 * stdout while the log goes to stderr: written as they come, a log line would start in the middle of
 * the progress line. So each event is written with the progress line out of the way
 * ({@link ProgressLine#aroundLog}), and the line is drawn again after it.
 */
public class ConsoleLog extends ConsoleAppender<ILoggingEvent> {

    @Override
    protected void subAppend(ILoggingEvent event) {
        ProgressLine.aroundLog(() -> super.subAppend(event));
    }
}
