package no.ditiosync.drops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TextCleanerTest {

    @Test
    void nullAndEmptyBecomeEmpty() {
        assertThat(TextCleaner.clean(null, 10)).isEmpty();
        assertThat(TextCleaner.clean("", 10)).isEmpty();
        assertThat(TextCleaner.clean(" \t\r\n ", 10)).isEmpty();
        assertThat(TextCleaner.clean("abc", 0)).isEmpty();
        assertThatThrownBy(() -> TextCleaner.clean("abc", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lineBreaksTabsAndWhitespaceRunsBecomeOneSpace() {
        assertThat(TextCleaner.clean("  Rigg\tNord\r\n\r\n  Øst \u00A0\u2028 slutt  ", 100))
                .isEqualTo("Rigg Nord Øst slutt");
    }

    @Test
    void otherControlCharactersAreDropped() {
        assertThat(TextCleaner.clean("a\u0007b\u001Bc\u007Fd\u0000e", 100)).isEqualTo("abcde");
    }

    /**
     * Invisible format characters that reorder or hide text (a right-to-left override, isolates, marks, a
     * zero-width space, a byte order mark, tag characters beyond the BMP) are shown escaped, so a value on a
     * terminal reads as what it holds. The joiners are not: emoji need them. A drop keeps them: a project
     * number or a department holding one was delivered with it, and its corrections must name it so.
     */
    @Test
    void invisibleCharactersThatReorderOrHideTextAreShownEscaped() {
        assertThat(TextCleaner.shown("Ola \u202EnameS \u2066iso\u2069 zero\u200Bwidth\uFEFF"))
                .isEqualTo("Ola \\u202enameS \\u2066iso\\u2069 zero\\u200bwidth\\ufeff");
        assertThat(TextCleaner.shown("101\uDB40\uDC41")).isEqualTo("101\\udb40\\udc41");
        assertThat(TextCleaner.shown("dag \uD83D\uDC77\u200D\u2640\uFE0F")).isEqualTo("dag \uD83D\uDC77\u200D\u2640\uFE0F");
        assertThat(TextCleaner.clean("P-100\u00AD7", 100)).isEqualTo("P-100\u00AD7");
    }

    @Test
    void loneSurrogatesAreDroppedAndPairsKept() {
        assertThat(TextCleaner.clean("a\uD800b\uDC00c", 100)).isEqualTo("abc");
        assertThat(TextCleaner.clean("ok 👷", 100)).isEqualTo("ok 👷");
    }

    @Test
    void decomposedLettersAreComposed() {
        assertThat(TextCleaner.clean("A\u030Asgard", 100)).isEqualTo("Åsgard").hasSize(6);
    }

    @Test
    void cutsByCodePointsWithoutSplittingASurrogatePair() {
        assertThat(TextCleaner.clean("👷👷👷", 2)).isEqualTo("👷👷");
        assertThat(TextCleaner.clean("ab👷cd", 3)).isEqualTo("ab👷");
        assertThat(TextCleaner.clean("abcdef", 3)).isEqualTo("abc");
    }

    @Test
    void aCutDoesNotLeaveATrailingSpace() {
        assertThat(TextCleaner.clean("abc def", 4)).isEqualTo("abc");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', ignoreLeadingAndTrailingWhitespace = false, value = {
            "=SUM(A1)|'=SUM(A1)",
            "+47 999|'+47 999",
            "-5|'-5",
            "@cmd|'@cmd",
            "  =1+1|'=1+1",
            "\t=1|'=1",
            "a=1|a=1",
            "P-1001|P-1001"})
    void formulasAreNeutralisedForASpreadsheet(String input, String expected) {
        assertThat(TextCleaner.forSpreadsheet(input, 100)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', ignoreLeadingAndTrailingWhitespace = false, value = {
            "=SUM(A1)|=SUM(A1)",
            "-5 timer rigg|-5 timer rigg",
            "  @cmd|@cmd"})
    void payrollImportTextKeepsItsFirstCharacter(String input, String expected) {
        // docs/output-formats.md puts the formula prefix in the generic CSV only
        assertThat(TextCleaner.clean(input, 100)).isEqualTo(expected);
    }

    @Test
    void aLeadingTabOrCarriageReturnCannotSurviveCleaning() {
        assertThat(TextCleaner.clean("\tabc", 100)).isEqualTo("abc");
        assertThat(TextCleaner.clean("\r\nabc", 100)).isEqualTo("abc");
    }

    @Test
    void formulaPrefixCountsInsideTheWidth() {
        assertThat(TextCleaner.forSpreadsheet("=12345", 4)).isEqualTo("'=12");
        assertThat(TextCleaner.forSpreadsheet("=12345", 1)).isEqualTo("'");
    }

    @Test
    void quoteAlwaysDoublesInnerQuotes() {
        assertThat(TextCleaner.quoteAlways("")).isEqualTo("\"\"");
        assertThat(TextCleaner.quoteAlways(null)).isEqualTo("\"\"");
        assertThat(TextCleaner.quoteAlways("P;\"7\"")).isEqualTo("\"P;\"\"7\"\"\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a;b", "say \"hi\"", "a\rb", "a\nb", " lead", "trail "})
    void quoteIfNeededQuotesWhatAReaderWouldMisread(String value) {
        assertThat(TextCleaner.quoteIfNeeded(value)).isEqualTo(TextCleaner.quoteAlways(value));
    }

    @Test
    void quoteIfNeededLeavesPlainValuesAlone() {
        assertThat(TextCleaner.quoteIfNeeded("Støp, dekke")).isEqualTo("Støp, dekke");
        assertThat(TextCleaner.quoteIfNeeded("")).isEmpty();
        assertThat(TextCleaner.quoteIfNeeded(null)).isEmpty();
    }

    @Test
    void quoteIfNeededQuotesTheGivenSeparatorOnly() {
        assertThat(TextCleaner.quoteIfNeeded("Støp, dekke", ',')).isEqualTo("\"Støp, dekke\"");
        assertThat(TextCleaner.quoteIfNeeded("a;b", ',')).isEqualTo("a;b");
        assertThat(TextCleaner.quoteIfNeeded("say \"hi\"", ',')).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(TextCleaner.quoteIfNeeded("a\nb", ',')).isEqualTo("\"a\nb\"");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', ignoreLeadingAndTrailingWhitespace = false, value = {
            "=1+1|'=1+1",
            "+47|'+47",
            "-5|'-5",
            "@cmd|'@cmd",
            "' =1|' =1",
            "a=1|a=1",
            " =1| =1"})
    void neutraliseOnlyPrefixesFormulas(String input, String expected) {
        assertThat(TextCleaner.neutralise(input)).isEqualTo(expected);
    }

    @Test
    void neutraliseKeepsEverythingElseIncludingALeadingTabOrCarriageReturn() {
        assertThat(TextCleaner.neutralise("\t=1")).isEqualTo("'\t=1");
        assertThat(TextCleaner.neutralise("\rx")).isEqualTo("'\rx");
        assertThat(TextCleaner.neutralise("a\tb\u0007")).isEqualTo("a\tb\u0007");
        assertThat(TextCleaner.neutralise(null)).isEmpty();
    }

    @Test
    void toCharsetKeepsNorwegianAndReplacesTheRestDeterministically() {
        var cp1252 = VismaFormat.WINDOWS_1252;
        assertThat(TextCleaner.toCharset("æøå ÆØÅ", cp1252)).isEqualTo("æøå ÆØÅ");
        assertThat(TextCleaner.toCharset("Łódź", cp1252)).isEqualTo("?ódz");
        assertThat(TextCleaner.toCharset("ok 👷", cp1252)).isEqualTo("ok ?");
        assertThat(TextCleaner.unencodable("Łódź 👷", cp1252)).isEqualTo(3);
        assertThat(TextCleaner.toCharset("Łódź 👷", StandardCharsets.UTF_8)).isEqualTo("Łódź 👷");
    }
}
