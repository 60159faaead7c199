package dev.charrnn.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.charrnn.system.AtomicFiles;
import dev.charrnn.system.CharRnnProperties;
import tools.jackson.databind.json.JsonMapper;

/** Job records next to the models ({@code <models-dir>/.jobs/<id>.json}), each written atomically. */
@Component
public class JobStore {

    private static final Logger log = LoggerFactory.getLogger(JobStore.class);

    private final Path dir;
    private final JsonMapper json;

    public JobStore(CharRnnProperties properties, JsonMapper json) {
        this.dir = properties.storage().modelsDir().resolve(".jobs");
        this.json = json;
    }

    public void save(JobRecord record) {
        AtomicFiles.write(dir.resolve(record.id() + ".json"), json.writeValueAsBytes(record));
    }

    public List<JobRecord> loadAll() {
        List<JobRecord> records = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return records;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().endsWith(".json")).forEach(file -> {
                try {
                    records.add(json.readValue(file.toFile(), JobRecord.class));
                } catch (RuntimeException e) {
                    log.warn("skipping unreadable job record {}: {}", file, e.getMessage());
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + dir, e);
        }
        return records;
    }
}
