package dev.charrnn.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

import dev.charrnn.system.CharRnnProperties;
import tools.jackson.databind.json.JsonMapper;

class ExampleCorpusTest {

    @TempDir
    Path tempDir;

    @Test
    void storingExampleTextYieldsTheDocumentedId() {
        CharRnnProperties properties = dev.charrnn.TestSupport.properties(tempDir,
                dev.charrnn.TestSupport.limits(DataSize.ofMegabytes(50), 2000));
        CorpusStore store = new CorpusStore(properties, JsonMapper.builder().build());

        Corpus corpus = store.store("example.txt", ExampleCorpus.TEXT.getBytes(StandardCharsets.UTF_8));

        assertThat(corpus.id()).isEqualTo(ExampleCorpus.ID);
        assertThat(store.readText(ExampleCorpus.ID)).isEqualTo(ExampleCorpus.TEXT);
    }
}
