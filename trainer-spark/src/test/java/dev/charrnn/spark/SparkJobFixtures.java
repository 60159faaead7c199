package dev.charrnn.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.charrnn.nn.CellType;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.train.SparkTrainingMaster;
import dev.charrnn.train.spark.SparkRunFiles;
import dev.charrnn.train.spark.SparkRunSpec;

/** Small corpora and run folders for the Spark tests: generated here, never read from the repository. */
final class SparkJobFixtures {

    private static final String[] WORDS = {"the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "to",
            "her", "old", "red", "barn", "while", "birds", "sang", "in", "green", "trees"};

    private SparkJobFixtures() {
    }

    /** Sentences of common words: enough structure that a tiny network learns it in an epoch or two. */
    static String corpus(int chars, long seed) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder(chars + 64);
        while (text.length() < chars) {
            int words = 4 + random.nextInt(6);
            for (int w = 0; w < words; w++) {
                String word = WORDS[random.nextInt(WORDS.length)];
                text.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
                text.append(w == words - 1 ? ".\n" : " ");
            }
        }
        return text.toString();
    }

    static ModelSpec tinySpec(CellType cell) {
        return ModelSpec.of(cell, 1, 48, 0.0, 25, 8, 0.01, 7L);
    }

    static SparkRunSpec run(String name, ModelSpec spec, int epochs, SparkTrainingMaster master) {
        return onStorage(name, spec, epochs, master, null, 32L << 20);
    }

    /** A run on a corpus the job reads from {@code corpusUri} (null: corpus.txt), in ranges of {@code splitBytes}. */
    static SparkRunSpec onStorage(String name, ModelSpec spec, int epochs, SparkTrainingMaster master, String corpusUri,
                                  long splitBytes) {
        return new SparkRunSpec(name, spec, epochs, 0.1, master, SparkRunSpec.DEFAULT_AVERAGING_FREQUENCY,
                SparkRunSpec.DEFAULT_WINDOWS_PER_EXAMPLE, null, null, corpusUri, splitBytes, 1_000_000, 2000);
    }

    static Path runFolder(Path dir, String corpus, SparkRunSpec run) throws IOException {
        Files.createDirectories(dir);
        if (corpus != null) {
            Files.writeString(dir.resolve(SparkRunFiles.CORPUS), corpus, StandardCharsets.UTF_8);
        }
        new ObjectMapper().writeValue(dir.resolve(SparkRunFiles.SPEC).toFile(), run);
        return dir;
    }
}
