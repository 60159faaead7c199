package dev.charrnn.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.charrnn.TestSupport;
import dev.charrnn.nn.CellType;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.NetworkFactory;
import dev.charrnn.system.ApiException;

class ModelSpecValidatorTest {

    @TempDir
    Path root;

    @ParameterizedTest
    @EnumSource(CellType.class)
    void theParameterEstimateIsTheNetworksCount(CellType cell) {
        ModelSpec spec = ModelSpec.of(cell, 3, 24, 0.0, 10, 2, 0.01, 1L);
        assertThat(ModelSpecValidator.parameters(spec, 17)).isEqualTo(NetworkFactory.create(spec, 17).numParams());
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void aNetworkThatCannotFitIsRefusedWithWhatToLower(CellType cell) {
        ModelSpecValidator validator = new ModelSpecValidator(TestSupport.properties(root));
        ModelSpec big = ModelSpec.of(cell, 4, 1024, 0.0, 1000, 512, 0.01, 1L);
        assertThatThrownBy(() -> validator.requireFits(big, 65, 8L << 30)).isInstanceOf(ApiException.class)
                .hasMessageContaining("Lower hiddenSize");
        validator.requireFits(ModelSpec.of(cell, 2, 256, 0.0, 100, 32, 0.01, 1L), 65, 8L << 30);
    }
}
