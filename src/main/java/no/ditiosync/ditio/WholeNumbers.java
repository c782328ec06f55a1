package no.ditiosync.ditio;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;

import java.io.IOException;
import java.math.BigDecimal;

/**
 * A record's whole numbers (an overtime line's lineType, overtimeType, sorting). Jackson's own reader
 * fails the whole page on a number beyond int's range (its parser throws before any problem handler
 * is asked) and cuts 7.5 to 7 without a word; here both are a field of the wrong type, so the record
 * goes to quarantine with the reason and the page is read on. Other tokens (text, null, an object)
 * are read as Jackson reads them.
 */
final class WholeNumbers extends StdScalarDeserializer<Integer> {

    private final NumberDeserializers.IntegerDeserializer jackson = new NumberDeserializers.IntegerDeserializer(Integer.class, null);

    WholeNumbers() {
        super(Integer.class);
    }

    @Override
    public Integer deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.hasToken(JsonToken.VALUE_NUMBER_INT) && p.getNumberType() == JsonParser.NumberType.INT) {
            return p.getIntValue();
        }
        if (p.hasToken(JsonToken.VALUE_NUMBER_INT) || p.hasToken(JsonToken.VALUE_NUMBER_FLOAT)) {
            BigDecimal value = p.getDecimalValue();
            try {
                return value.intValueExact(); // 3.0 is 3
            } catch (ArithmeticException notWhole) {
                return (Integer) ctxt.handleWeirdNumberValue(Integer.class, p.getNumberValue(), "not a whole number in int's range");
            }
        }
        return jackson.deserialize(p, ctxt);
    }
}
