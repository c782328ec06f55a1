package no.ditiosync.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every file in routes/ (and examples/) is valid Camel YAML DSL by the JSON schema the camel-yaml-dsl jar of the
 * Camel version in use ships (schema/camelYamlDsl.json): what Kaoto and the VS Code Camel extension
 * check when an integration engineer opens the routes.
 */
class RoutesSchemaTest {

    @Test
    void everyRoutesFileValidatesAgainstTheYamlDslSchema() throws Exception {
        JsonSchema schema;
        try (InputStream in = org.apache.camel.dsl.yaml.YamlRoutesBuilderLoader.class.getClassLoader()
                .getResourceAsStream("schema/camelYamlDsl.json")) {
            assertThat(in).as("the schema inside camel-yaml-dsl").isNotNull();
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(new ObjectMapper().readTree(in));
        }
        List<Path> files;
        // routes/ and the examples README's "Adding a target" walks through
        try (Stream<Path> all = Stream.concat(Files.list(Path.of("routes")), Files.walk(Path.of("examples")))) {
            files = all.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().toList();
        }
        assertThat(files).as("route files").hasSizeGreaterThan(4).contains(Path.of("examples/custom-target/deliver-hours.camel.yaml"));
        List<String> problems = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (Path file : files) {
            Object yaml = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
            JsonNode node = json.valueToTree(yaml);
            Set<ValidationMessage> messages = schema.validate(node);
            // one line per place: a step that matches none of the schema's alternatives fails each of them
            messages.stream().map(m -> file.getFileName() + ": " + m.getInstanceLocation()).distinct().forEach(problems::add);
        }
        assertThat(problems).as("schema violations").isEmpty();
    }
}
