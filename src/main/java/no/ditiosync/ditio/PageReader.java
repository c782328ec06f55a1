package no.ditiosync.ditio;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.InjectableValues;
import com.fasterxml.jackson.databind.cfg.CacheProvider;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerFactory;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import com.fasterxml.jackson.databind.deser.DeserializerFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBase;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.SettableBeanProperty;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Reads one Ditio page with Jackson's streaming parser as the bytes arrive: records are bound one by
 * one, straight from the parser, unknown fields are skipped, and no more than {@code maxPageBytes}
 * (DITIO_MAX_PAGE_BYTES) are read. A page that is not the documented shape, or larger than that, is
 * an error that names the page, so the run fails without moving the watermark. A field of the wrong
 * type costs its record, not the page: it is bound as empty, and the record is marked unreadable with
 * the reason (and goes to quarantine).
 */
public final class PageReader<T> {

    /** Reasons that start so come from the record as sent, not from settings: mapping it again changes nothing. */
    public static final String UNREADABLE = "unreadable ";

    /** The exchange of a record's first problem between the problem handler and the read of the record. */
    private static final String PROBLEM = "ditioRecordProblem";

    private final ObjectMapper mapper;
    private final ObjectReader recordReader;
    private final BiConsumer<T, String> unreadable;
    private final long maxPageBytes;

    /**
     * @param unreadable   marks a record one of whose fields did not bind (say qty "abc") with the reason,
     *                     so it goes to quarantine; null leaves such a record out
     * @param maxPageBytes the most a page may hold, decompressed (DITIO_MAX_PAGE_BYTES)
     */
    public PageReader(Class<? extends T> recordType, BiConsumer<T, String> unreadable, long maxPageBytes) {
        // Jackson counts what it reads and stops past the limit (its maxDocumentLength), so a page
        // that never ends, or a small gzip that inflates to gigabytes, ends as a bad page
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxDocumentLength(maxPageBytes).build())
                .build();
        // property names as the spec spells them are bound as Jackson does, by exact name; only a name it
        // does not know goes to OtherCase, which finds it in any case (a .NET server may keep PascalCase)
        this.mapper = new ObjectMapper(factory, null, new ObjectsAsText())
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .addHandler(new OtherCase())
                .addHandler(new WrongTypes())
                .registerModule(new SimpleModule().addDeserializer(Integer.class, new WholeNumbers())
                        .addDeserializer(boolean.class, new NumbersAreNotTrueOrFalse())
                        .setDeserializerModifier(new MarkSpecNames()));
        this.recordReader = mapper.readerFor(recordType);
        this.unreadable = unreadable;
        this.maxPageBytes = maxPageBytes;
    }

    /**
     * @param endsWithTheConnection the answer has neither a length nor chunks: its body ends where Ditio
     *                              closed the connection, so JSON that stops early is a dropped connection
     *                              (thrown as an {@link EOFException}, which is retried), not a bad page
     */
    public DitioPage<T> read(InputStream body, String where, boolean endsWithTheConnection) throws IOException {
        if (body == null) {
            throw new DitioApiException("Ditio sent an empty body for " + where);
        }
        List<T> data = null;
        String token = null;
        JsonParser parser = null;
        EndSeen source = new EndSeen(body);
        boolean begun = false;
        try (JsonParser p = mapper.getFactory().createParser(source)) {
            parser = p;
            JsonToken first = parser.nextToken();
            begun = first == JsonToken.START_OBJECT;
            if (first == null && endsWithTheConnection) {
                throw new EOFException("the answer for " + where + " ended before its JSON began");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new DitioApiException("Ditio sent a page that is not a JSON object for " + where);
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field.toLowerCase(Locale.ROOT)) {
                    case "data" -> data = readRecords(parser, value, where);
                    case "continuationtoken" -> token = value == JsonToken.VALUE_NULL ? null : parser.getValueAsString();
                    default -> parser.skipChildren();
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // a limit of the parser, also when it was hit binding a record (databind wraps it)
            StreamConstraintsException limit = null;
            for (Throwable t = e; t != null && limit == null; t = t.getCause()) {
                limit = t instanceof StreamConstraintsException c ? c : null;
            }
            // a page begun (a body of plain text, "Unauthorized", is no page) where the parser asked for more than
            // there was: whatever it then said ("end-of-input", "unrecognized token 'tr'", "decimal point not followed
            // by a digit"), the JSON was cut where the connection closed
            if (limit == null && endsWithTheConnection && begun && source.ended) {
                throw (EOFException) new EOFException("the answer for " + where + " ended before its JSON did")
                        .initCause(e);
            }
            if (limit == null) {
                throw new DitioApiException("Ditio sent malformed JSON for " + where + ": " + e.getOriginalMessage(), e);
            }
            if (parser != null && parser.currentLocation().getByteOffset() >= maxPageBytes) {
                throw new DitioApiException("Ditio sent more than " + size(maxPageBytes) + " for " + where
                        + ": a page may hold at most DITIO_MAX_PAGE_BYTES (ditio.max-page-bytes) = " + size(maxPageBytes)
                        + "; raise it only if Ditio's pages really are that large", e);
            }
            // a value longer, or nested deeper, than the parser takes (20 million characters, 1000 levels)
            throw new DitioApiException("Ditio sent a value too long or too deeply nested to read for " + where + ": "
                    + limit.getOriginalMessage(), e);
        }
        // any other IOException is the connection failing while the page streams in: thrown as it is, so
        // the call is retried as one that failed before its answer
        if (data == null) {
            throw new DitioApiException("Ditio sent a page without 'data' for " + where);
        }
        return new DitioPage<>(data, token);
    }

    private List<T> readRecords(JsonParser parser, JsonToken value, String where) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            // null too: read as an empty last page it would end the pass early and move the watermark past
            // what the pass never saw (the guide's own examples fail on it as well)
            throw new DitioApiException("Ditio sent 'data' that is " + (value == JsonToken.VALUE_NULL ? "null" : "not an array")
                    + " for " + where);
        }
        List<T> records = new ArrayList<>();
        Problem problem = new Problem();
        ObjectReader reader = recordReader.withAttribute(PROBLEM, problem);
        JsonToken next;
        while ((next = parser.nextToken()) == JsonToken.START_OBJECT) {
            problem.reason = null;
            problem.fields.clear();
            JsonStreamContext array = parser.getParsingContext().getParent();
            T record;
            try {
                record = reader.readValue(parser);
            } catch (MismatchedInputException e) {
                // what the handler below does not cover: the rest of the record is skipped, kept as a record without
                // fields but the reason (it is quarantined under a stand-in key), also when the handler saw a field first
                while (parser.getParsingContext() != array && parser.nextToken() != null) {
                    parser.skipChildren();
                }
                record = unreadable != null ? reader.readValue("{}") : null;
                problem.reason = problem.reason == null ? reason(e) : problem.reason;
            }
            if (problem.reason == null) {
                records.add(record);
            } else if (unreadable != null && record != null) {
                unreadable.accept(record, problem.reason);
                if (record instanceof TimeRegistration r) {
                    r.unreadableFields = problem.fields.isEmpty() ? java.util.Set.of("?") : java.util.Set.copyOf(problem.fields);
                }
                records.add(record);
            }
        }
        if (next != JsonToken.END_ARRAY) {
            // stopping here would read the rest of the array as the page's fields: the token unseen, the pass ended early
            throw new DitioApiException("Ditio sent " + parser.getText() + " instead of a record in 'data' for " + where);
        }
        return records;
    }

    /**
     * Binds a field Ditio spelled in another case than the spec ("Qty", "IsDeleted") to the record's property of
     * that name. Jackson's own ACCEPT_CASE_INSENSITIVE_PROPERTIES lower-cases every name of every record before
     * it looks it up (a big run allocated 7 % of its bytes there), and Jackson 2 has no "exact first" mode; so
     * the spec's names are found as Jackson finds them, by exact name at no extra cost, and only a name Jackson
     * does not know comes to this handler (its hook for unknown names), which compares it once, then remembers
     * it per record type, with the properties read from Ditio: a field the app keeps for itself (@JsonIgnore)
     * is not one of them, so it is never bound, in any case.
     */
    private static final class OtherCase extends DeserializationProblemHandler {
        /** Names remembered per record type: a server cannot grow the cache past this by inventing names. */
        private static final int MOST_NAMES = 1000;
        private static final String NONE = "";

        /** Per record type: each name as sent, and the property it means (NONE: none). */
        private final Map<Class<?>, Map<String, String>> meaning = new ConcurrentHashMap<>();

        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                             Object bean, String name) throws IOException {
            // only a bean already made can take the field (with a creator Jackson passes the class; no record here has one)
            if (!(deserializer instanceof BeanDeserializerBase record) || bean instanceof Class) {
                return false;
            }
            Map<String, String> names = meaning.computeIfAbsent(record.handledType(), type -> new ConcurrentHashMap<>());
            String property = names.get(name);
            if (property == null) {
                // lower case as Jackson compared (equalsIgnoreCase would also take "ıd", dotless i, for "id")
                String lower = name.toLowerCase(Locale.ROOT);
                property = NONE;
                for (Iterator<SettableBeanProperty> it = record.properties(); it.hasNext() && property.isEmpty(); ) {
                    String known = it.next().getName();
                    property = known.toLowerCase(Locale.ROOT).equals(lower) ? known : NONE;
                }
                if (names.size() < MOST_NAMES) {
                    names.put(name, property);
                }
            }
            if (property.isEmpty()) {
                return false;
            }
            try {
                SettableBeanProperty target = record.findProperty(property);
                if (target instanceof Marked marked) {
                    if ((((DitioRecord) bean).specNamesSeen() & marked.bit) != 0) {
                        // the spec's own name came earlier in this object, and it wins ("the names above first")
                        p.skipChildren();
                        return true;
                    }
                    target = marked.unmarked; // bound, not marked: of two names in other cases, the later counts
                }
                target.deserializeAndSet(p, ctxt, bean);
                return true;
            } catch (Exception e) {
                // as Jackson does for a field it bound itself: a failure is a mapping error whose path names the field
                return record.wrapAndThrow(e, bean, name, ctxt);
            }
        }
    }

    /**
     * Wraps each property of a record type that remembers its spec names ({@link DitioRecord}) so that
     * binding it under its own name marks it: a name in another case later in the same object is then
     * skipped (OtherCase). Jackson binds the spec's names itself, without a hook, so this is how to know.
     */
    private static final class MarkSpecNames extends BeanDeserializerModifier {
        @Override
        public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
                                                     BeanDeserializerBuilder builder) {
            if (!DitioRecord.class.isAssignableFrom(description.getBeanClass())) {
                return builder;
            }
            List<SettableBeanProperty> properties = new ArrayList<>();
            builder.getProperties().forEachRemaining(properties::add);
            for (int i = 0; i < properties.size() && i < Long.SIZE; i++) {
                builder.addOrReplaceProperty(new Marked(properties.get(i), 1L << i), true);
            }
            return builder;
        }
    }

    /** A property that marks its bit on the record when it is bound under its own name. */
    private static final class Marked extends SettableBeanProperty.Delegating {
        final long bit;
        final SettableBeanProperty unmarked;

        Marked(SettableBeanProperty unmarked, long bit) {
            super(unmarked);
            this.unmarked = unmarked;
            this.bit = bit;
        }

        @Override
        protected SettableBeanProperty withDelegate(SettableBeanProperty d) {
            return new Marked(d, bit);
        }

        @Override
        public void deserializeAndSet(JsonParser p, DeserializationContext ctxt, Object instance) throws IOException {
            unmarked.deserializeAndSet(p, ctxt, instance);
            ((DitioRecord) instance).specNameSeen(bit);
        }

        @Override
        public Object deserializeSetAndReturn(JsonParser p, DeserializationContext ctxt, Object instance) throws IOException {
            Object result = unmarked.deserializeSetAndReturn(p, ctxt, instance);
            ((DitioRecord) instance).specNameSeen(bit);
            return result;
        }
    }

    /**
     * A number where the spec has true/false ("payrollApproved": 1) is a field of the wrong type, so the
     * record is quarantined with it (WrongTypes): Jackson's own reader takes any number but 0 as true,
     * which would let a record through the approval gate on a guess. Text is read as Jackson reads it
     * ("true", "false"; anything else is the wrong type), as numbers sent as text are ("7.5").
     */
    private static final class NumbersAreNotTrueOrFalse extends StdScalarDeserializer<Boolean> {
        private final NumberDeserializers.BooleanDeserializer jackson =
                new NumberDeserializers.BooleanDeserializer(Boolean.TYPE, Boolean.FALSE);

        NumbersAreNotTrueOrFalse() {
            super(Boolean.TYPE);
        }

        @Override
        public Boolean deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return p.hasToken(JsonToken.VALUE_NUMBER_INT) || p.hasToken(JsonToken.VALUE_NUMBER_FLOAT)
                    ? (Boolean) ctxt.handleUnexpectedToken(Boolean.TYPE, p) : jackson.deserialize(p, ctxt);
        }

        /** null as Jackson reads it for true/false: false. */
        @Override
        public Boolean getNullValue(DeserializationContext ctxt) throws com.fasterxml.jackson.databind.JsonMappingException {
            return jackson.getNullValue(ctxt);
        }
    }

    /** The first field of a record that did not bind, and why ("unreadable qty: "abc" is not a number"). */
    private static final class Problem {
        String reason;
        /** The names, lower case, of every field of the record that did not bind ("?": one without a name). */
        final java.util.Set<String> fields = new java.util.HashSet<>();
    }

    /**
     * A value of the wrong type for its field is bound as empty (null, false), and the record's first
     * such field is remembered: the record is then marked unreadable instead of failing the page.
     */
    private static final class WrongTypes extends DeserializationProblemHandler {
        @Override
        public Object handleWeirdStringValue(DeserializationContext ctxt, Class<?> targetType, String valueToConvert,
                                             String failureMsg) throws IOException {
            return remember(ctxt, targetType, quoted(valueToConvert));
        }

        @Override
        public Object handleWeirdNumberValue(DeserializationContext ctxt, Class<?> targetType, Number valueToConvert,
                                             String failureMsg) throws IOException {
            return remember(ctxt, targetType, String.valueOf(valueToConvert));
        }

        @Override
        public Object handleUnexpectedToken(DeserializationContext ctxt, JavaType targetType, JsonToken t, JsonParser p,
                                            String failureMsg) throws IOException {
            return remember(ctxt, targetType.getRawClass(), shown(ctxt, p));
        }

        /** A number, text or true/false where an object belongs (an overtime line written as 1): kept as null. */
        @Override
        public Object handleMissingInstantiator(DeserializationContext ctxt, Class<?> instClass, ValueInstantiator instantiator,
                                                JsonParser p, String msg) throws IOException {
            return remember(ctxt, instClass, shown(ctxt, p));
        }

        /** The value as sent, read past when it is an object or array. */
        private static String shown(DeserializationContext ctxt, JsonParser p) throws IOException {
            return p.isExpectedStartObjectToken() || p.isExpectedStartArrayToken() ? ctxt.readTree(p).toString()
                    : p.hasToken(JsonToken.VALUE_STRING) ? quoted(p.getText()) : p.getText();
        }

        private static Object remember(DeserializationContext ctxt, Class<?> type, String value) throws IOException {
            Object holder = ctxt.getAttribute(PROBLEM);
            if (holder instanceof Problem problem) {
                // a value in an array (overtimeLines [1]) has no name of its own: the field is the array's
                String field = ctxt.getParser().currentName();
                for (JsonStreamContext c = ctxt.getParser().getParsingContext(); field == null && c != null; c = c.getParent()) {
                    field = c.getCurrentName();
                }
                // every such field, as it binds as empty (an approval flag as false), which the mapping must not believe
                problem.fields.add(field == null ? "?" : field.toLowerCase(java.util.Locale.ROOT));
                if (problem.reason == null) {
                    String shown = KnownSecrets.masked(value); // before the cut: a secret cut in two is masked no more
                    problem.reason = UNREADABLE + (field == null ? "?" : field) + ": "
                            + (shown.length() > 40 ? shown.substring(0, 40) + "…" : shown) + " is not " + expected(type);
                }
            }
            return type == boolean.class ? Boolean.FALSE : type.isPrimitive() ? 0 : null;
        }
    }

    /**
     * A JSON object where a number, text or true/false belongs ("qty":{"hours":7.5}) comes to WrongTypes through
     * {@link DeserializationContext#extractScalarFromObject}, Jackson's hook for it, whose default casts what the
     * handler returns to text, which Jackson then parses as the number or true/false: the handler may not answer
     * text for a number, and null there fails the page. So this context lets WrongTypes read the object past and
     * remember it, then answers empty text, bound as empty (null, false) as for any field of the wrong type.
     */
    private static final class ObjectsAsText extends DefaultDeserializationContext {
        ObjectsAsText() {
            super(BeanDeserializerFactory.instance, null);
        }

        private ObjectsAsText(ObjectsAsText src, DeserializationConfig config, JsonParser p, InjectableValues values) {
            super(src, config, p, values);
        }

        private ObjectsAsText(ObjectsAsText src, DeserializationConfig config) {
            super(src, config);
        }

        private ObjectsAsText(ObjectsAsText src) {
            super(src);
        }

        private ObjectsAsText(ObjectsAsText src, DeserializerFactory factory) {
            super(src, factory);
        }

        private ObjectsAsText(ObjectsAsText src, CacheProvider caches) {
            super(src, caches);
        }

        @Override
        public String extractScalarFromObject(JsonParser p, JsonDeserializer<?> deser, Class<?> scalarType) throws IOException {
            return handleUnexpectedToken(scalarType, p) instanceof String text ? text : "";
        }

        @Override
        public DefaultDeserializationContext copy() {
            return new ObjectsAsText(this);
        }

        @Override
        public DefaultDeserializationContext with(DeserializerFactory factory) {
            return new ObjectsAsText(this, factory);
        }

        @Override
        public DefaultDeserializationContext withCaches(CacheProvider caches) {
            return new ObjectsAsText(this, caches);
        }

        @Override
        public DefaultDeserializationContext createInstance(DeserializationConfig config, JsonParser p, InjectableValues values) {
            return new ObjectsAsText(this, config, p, values);
        }

        @Override
        public DefaultDeserializationContext createDummyInstance(DeserializationConfig config) {
            return new ObjectsAsText(this, config);
        }
    }

    private static String quoted(String text) {
        return new com.fasterxml.jackson.databind.node.TextNode(text).toString();
    }

    private static String expected(Class<?> type) {
        return type == null ? "of the expected type"
                : type == Integer.class || type == int.class ? "a whole number up to " + Integer.MAX_VALUE
                : Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class ? "a number"
                : type == boolean.class || type == Boolean.class ? "true or false"
                : CharSequence.class.isAssignableFrom(type) ? "text"
                : java.util.Collection.class.isAssignableFrom(type) || type.isArray() ? "a list" : "an object";
    }

    /** A size as DITIO_MAX_PAGE_BYTES is written: 256MiB, 512KiB, or bytes. */
    public static String size(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GiB";
        }
        if (bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        return bytes % (1L << 10) == 0 ? (bytes >> 10) + "KiB" : bytes + " bytes";
    }

    /** "unreadable qty: "abc" is not a number": what a value of the wrong type the handler did not see says. */
    static String reason(MismatchedInputException e) {
        // the innermost field of the path: an index in an array (overtimeLines[0]) has no name
        String field = "?";
        for (int i = e.getPath().size() - 1; i >= 0 && "?".equals(field); i--) {
            field = e.getPath().get(i).getFieldName() == null ? "?" : e.getPath().get(i).getFieldName();
        }
        return UNREADABLE + field + ": is not " + expected(e.getTargetType());
    }
}
