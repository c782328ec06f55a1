package no.ditiosync.run;

import no.ditiosync.drops.DropTarget;
import no.ditiosync.drops.SftpDrop;
import no.ditiosync.payroll.LineRules;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * One company's runs: its start date and overlap, the registration feeds it delivers (in order:
 * {@code time}, {@code payroll}, {@code absence}) and its targets (in delivery order).
 *
 * @param departmentsShortened what the file formats say of departments they cut short (null: none)
 * @param closedThrough the last work date of the closed payroll period in the settings (null: none)
 * @param closedThroughVariable the environment variable of that setting, as the closing a run keeps of it names it
 * @param startDateVariable the environment variable the start date comes from, as messages name it
 * @param lineRules     the settings that decide which lines the registrations become
 * @param sftp          where the drops go over SFTP (null: they stay in {@code dropDir})
 */
public record Company(String key, LocalDate startDate, Duration overlap, List<String> feeds, List<DropTarget> targets,
                      Function<Collection<String>, String> departmentsShortened, Path dropDir, LocalDate closedThrough,
                      String closedThroughVariable, String startDateVariable, LineRules lineRules,
                      SftpDrop.Config sftp) {
    public Company {
        feeds = List.copyOf(feeds);
        targets = List.copyOf(targets);
    }

    /** Where a target's drop is delivered, as the run's summary and report name it: on the SFTP server, or the local file. */
    public String placeOf(String target, Path finalPath) {
        return sftp == null ? finalPath.toString() : sftp.location(target, finalPath.getFileName().toString());
    }

    /** The targets' names, as the ledger keys what each holds. */
    public List<String> targetNames() {
        return targets.stream().map(DropTarget::name).toList();
    }
}
