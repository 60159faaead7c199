package dev.charrnn.nn.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class HostBuffersTest {

    @Test
    void readsAndWritesRowBlocksOfFloatArraysInPlace() {
        INDArray matrix = Nd4j.arange(24).castTo(DataType.FLOAT).reshape('c', 6, 4);
        INDArray rows = matrix.get(NDArrayIndex.interval(2, 4), NDArrayIndex.all());
        HostBuffers host = new HostBuffers();
        double[] values = host.read(rows, 0);
        assertThat(values[0]).isEqualTo(8.0);
        assertThat(values[7]).isEqualTo(15.0);
        values[1] = -1;
        host.write(values, rows);
        assertThat(matrix.getFloat(2, 1)).isEqualTo(-1f);
        assertThat(matrix.getFloat(1, 3)).isEqualTo(7f);
        assertThat(matrix.getFloat(4, 0)).isEqualTo(16f);
    }

    @Test
    void readsAndWritesArraysThatAreNotContiguousThroughACopy() {
        INDArray matrix = Nd4j.arange(12).castTo(DataType.DOUBLE).reshape('f', 3, 4);
        HostBuffers host = new HostBuffers();
        double[] values = host.read(matrix, 0);
        assertThat(values[1]).isEqualTo(matrix.getDouble(0, 1));
        values[1] = 42;
        host.write(values, matrix);
        assertThat(matrix.getDouble(0, 1)).isEqualTo(42.0);
        assertThat(matrix.getDouble(1, 0)).isEqualTo(1.0);
    }
}
