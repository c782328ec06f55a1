package no.ditiosync.app;

import no.ditiosync.drops.CorrectionStyle;
import no.ditiosync.drops.DropFormat;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A target of the user's own, beside the built-in ones: named in {@code payroll.targets}, rendered by
 * a format class of theirs ({@code payroll.target.<name>.format}, a {@link DropFormat} with a public
 * constructor without arguments, on the class path), delivered by a route {@code deliver-<name>} in
 * {@code routes/} (for a drop folder: a {@code templatedRoute} of {@code deliver-file}).
 *
 * @param style how the target takes a change to a line it already holds
 *              ({@code payroll.target.<name>.correction}: {@code offset}, the default, or {@code cancel-and-rebook})
 */
public record CustomTarget(String name, DropFormat format, CorrectionStyle style) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    static String formatProperty(String name) {
        return "payroll.target." + name + ".format";
    }

    static String correctionProperty(String name) {
        return "payroll.target." + name + ".correction";
    }

    /**
     * Where a target's own settings are read: the company's own {@code company.<key>.<property>} where
     * set, the shared property otherwise, each named in messages as the operator wrote it.
     */
    interface Keys {
        /** The setting's value, or null. */
        String value(String property);

        /** The setting as messages name it. */
        String label(String property);
    }

    /** Whether {@code name} could be a target of the user's own (it names files and a route). */
    static boolean isName(String name) {
        return NAME.matcher(name).matches();
    }

    /** Whether {@code name} is meant as a target of the user's own: its format is set. */
    static boolean isDeclared(String name, Keys keys) {
        String v = isName(name) ? keys.value(formatProperty(name)) : null;
        return v != null && !v.isBlank();
    }

    /** The target's format class made and checked; a bad setting stops start-up naming its key. */
    static CustomTarget read(String name, Keys keys) {
        String formatKey = formatProperty(name);
        String formatLabel = keys.label(formatKey);
        String className = keys.value(formatKey).strip();
        DropFormat format;
        try {
            Class<?> type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
            if (!DropFormat.class.isAssignableFrom(type)) {
                throw new SettingsException("Setting " + formatLabel + ": class " + className
                        + " is not a payroll file format (it must implement no.ditiosync.drops.DropFormat)");
            }
            format = (DropFormat) type.getConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new SettingsException("Setting " + formatLabel + ": no class " + className
                    + " on the class path (start with java -cp target/ditio-payroll-sync.jar:<your jar> "
                    + DitioPayrollSync.class.getName() + " ...)");
        } catch (NoSuchMethodException e) {
            throw new SettingsException("Setting " + formatLabel + ": class " + className
                    + " needs a public constructor without arguments");
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (e instanceof SettingsException s) {
                throw s;
            }
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new SettingsException("Setting " + formatLabel + ": cannot make a " + className + " ("
                    + (cause.getMessage() == null ? "it failed without a message" : cause.getMessage()) + ")");
        }
        if (!name.equals(format.target())) {
            throw new SettingsException("Setting " + formatLabel + ": " + className + " says its target is '"
                    + format.target() + "', not '" + name + "' (its target() names the drops)");
        }
        String correctionKey = correctionProperty(name);
        String correction = keys.value(correctionKey);
        CorrectionStyle style = switch (correction == null ? "" : correction.strip().toLowerCase(Locale.ROOT)) {
            case "", "offset" -> CorrectionStyle.OFFSET;
            case "cancel-and-rebook" -> CorrectionStyle.CANCEL_AND_REBOOK;
            default -> throw new SettingsException("Setting " + keys.label(correctionKey) + ": '" + correction.strip()
                    + "' is not a correction style (offset or cancel-and-rebook)");
        };
        if (style == CorrectionStyle.CANCEL_AND_REBOOK && !format.writesCancellations()) {
            // its cancellations would be written as lines of hours, and paid again
            throw new SettingsException("Setting " + keys.label(correctionKey) + ": " + className + " writes no cancellations"
                    + " (its writesCancellations() is false), so target " + name + " takes offsetting lines only: "
                    + "leave the setting out, or set it to offset");
        }
        return new CustomTarget(name, format, style);
    }
}
