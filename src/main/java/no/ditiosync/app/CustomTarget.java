package no.ditiosync.app;

import no.ditiosync.drops.CorrectionStyle;
import no.ditiosync.drops.DropFormat;

import java.util.Locale;
import java.util.function.Function;
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

    /** The property and its environment variable, as messages name a setting. */
    static String label(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_') + " (" + property + ")";
    }

    /** Whether {@code name} is meant as a target of the user's own: its format is set. */
    static boolean isDeclared(String name, Function<String, String> lookup) {
        String v = NAME.matcher(name).matches() ? lookup.apply(formatProperty(name)) : null;
        return v != null && !v.isBlank();
    }

    /** The target's format class made and checked; a bad setting stops start-up naming its key. */
    static CustomTarget read(String name, Function<String, String> lookup) {
        String formatKey = formatProperty(name);
        String className = lookup.apply(formatKey).strip();
        DropFormat format;
        try {
            Class<?> type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
            if (!DropFormat.class.isAssignableFrom(type)) {
                throw new SettingsException("Setting " + label(formatKey) + ": class " + className
                        + " is not a payroll file format (it must implement no.ditiosync.drops.DropFormat)");
            }
            format = (DropFormat) type.getConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new SettingsException("Setting " + label(formatKey) + ": no class " + className
                    + " on the class path (start with java -cp target/ditio-payroll-sync.jar:<your jar> "
                    + DitioPayrollSync.class.getName() + " ...)");
        } catch (NoSuchMethodException e) {
            throw new SettingsException("Setting " + label(formatKey) + ": class " + className
                    + " needs a public constructor without arguments");
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (e instanceof SettingsException s) {
                throw s;
            }
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new SettingsException("Setting " + label(formatKey) + ": cannot make a " + className + " ("
                    + (cause.getMessage() == null ? "it failed without a message" : cause.getMessage()) + ")");
        }
        if (!name.equals(format.target())) {
            throw new SettingsException("Setting " + label(formatKey) + ": " + className + " says its target is '"
                    + format.target() + "', not '" + name + "' (its target() names the drops)");
        }
        String correctionKey = correctionProperty(name);
        String correction = lookup.apply(correctionKey);
        CorrectionStyle style = switch (correction == null ? "" : correction.strip().toLowerCase(Locale.ROOT)) {
            case "", "offset" -> CorrectionStyle.OFFSET;
            case "cancel-and-rebook" -> CorrectionStyle.CANCEL_AND_REBOOK;
            default -> throw new SettingsException("Setting " + label(correctionKey) + ": '" + correction.strip()
                    + "' is not a correction style (offset or cancel-and-rebook)");
        };
        return new CustomTarget(name, format, style);
    }
}
