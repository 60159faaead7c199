package dev.charrnn.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The ops path runs on a GPU only if it never touches host memory: no host pointers, no NIO
 * buffers, none of the host path's machinery (HostBuffers, Blas, the step loops and their
 * threads). Checked on the compiled classes: from the ops path's classes (the layers' plumbing,
 * the ops paths, the cells' ops math), every class of this project they name is followed, up to
 * the host path's entry points ({@link RecurrentHostPath}, {@link SoftmaxHostPath} and the
 * cells' float math), and no class reached may name any of it. A class names what it uses in its
 * constant pool: classes, member names and descriptors, all as strings.
 */
class OpsPathBytecodeTest {

    /**
     * What only the host path may use: its classes, and the ways to reach an array's host memory.
     * (The step threads' {@code Gang} is plain Java threads: a layer on the ops path holds it unused.)
     */
    private static final List<String> HOST_ONLY = List.of(
            "dev/charrnn/nn/cpu/HostBuffers", "dev/charrnn/nn/cpu/Blas", "dev/charrnn/nn/Recurrence",
            "dev/charrnn/nn/FloatSteps", "dev/charrnn/nn/OneHotInput", "dev/charrnn/nn/cpu/Kernels",
            "dev/charrnn/nn/cpu/VectorKernels", "dev/charrnn/sample/", "org/bytedeco/", "org/nd4j/linalg/api/buffer/DataBuffer", "java/nio/",
            "addressPointer", "asNio", "FloatBuffer", "DoubleBuffer");

    private static final Pattern PROJECT_CLASS = Pattern.compile("dev/charrnn/[A-Za-z0-9_/$]+");

    @Test
    void nothingTheOpsPathReachesNamesHostMemoryOrTheHostMachinery() throws IOException {
        Map<String, List<String>> scanned = reachable(opsPathRoots(), hostPathEntries());

        Map<String, List<String>> offences = new LinkedHashMap<>();
        scanned.forEach((type, constants) -> {
            List<String> named = constants.stream().filter(c -> HOST_ONLY.stream().anyMatch(c::contains)).toList();
            if (!named.isEmpty()) {
                offences.put(type, named);
            }
        });
        assertThat(offences).as("ops-path classes naming host-only code or memory").isEmpty();
        assertThat(scanned.keySet()).as("the classes the walk reached").contains(
                internal(FusedRecurrentLayer.class), internal(SoftmaxOutputLayerImpl.class),
                internal(RecurrentOpsPath.class), internal(SoftmaxOpsPath.class), internal(RowBlock.class),
                internal(TimeMajor.class), internal(OpsCell.BackwardStep.class), internal(RecurrentPass.class),
                internal(Compute.class), internal(LstmLayerImpl.class), internal(GruLayerImpl.class),
                internal(TanhRnnLayerImpl.class));
        assertThat(scanned.keySet()).doesNotContain(internal(RecurrentHostPath.class), internal(SoftmaxHostPath.class));
    }

    /** The check can fail: from the host path, it finds the host machinery. */
    @Test
    void theSameWalkFromTheHostPathFindsHostMemory() throws IOException {
        Map<String, List<String>> scanned = reachable(List.of(RecurrentHostPath.class, SoftmaxHostPath.class), Set.of());
        List<String> constants = scanned.values().stream().flatMap(List::stream).toList();
        assertThat(constants).anyMatch(c -> c.contains("addressPointer"));
        assertThat(constants).anyMatch(c -> c.contains("dev/charrnn/nn/cpu/HostBuffers"));
        assertThat(constants).anyMatch(c -> c.contains("java/nio/FloatBuffer"));
    }

    private static List<Class<?>> opsPathRoots() {
        List<Class<?>> roots = new ArrayList<>(List.of(FusedRecurrentLayer.class, SoftmaxOutputLayerImpl.class,
                RecurrentOpsPath.class, SoftmaxOpsPath.class));
        for (Class<?> cell : List.of(TanhRnnLayerImpl.class, LstmLayerImpl.class, GruLayerImpl.class)) {
            List<Class<?>> math = Arrays.stream(cell.getDeclaredClasses()).filter(OpsCell.class::isAssignableFrom).toList();
            assertThat(math).as("%s's ops math", cell.getSimpleName()).hasSize(1);
            roots.addAll(math);
        }
        return roots;
    }

    /** Where the walk stops: the host path's entry points, and every cell's float math. */
    private static Set<String> hostPathEntries() {
        Set<String> entries = new java.util.HashSet<>(Set.of(internal(RecurrentHostPath.class),
                internal(SoftmaxHostPath.class), internal(FloatCell.class)));
        for (Class<?> cell : List.of(TanhRnnLayerImpl.class, LstmLayerImpl.class, GruLayerImpl.class)) {
            Arrays.stream(cell.getDeclaredClasses()).filter(FloatCell.class::isAssignableFrom)
                    .forEach(math -> entries.add(internal(math)));
        }
        return entries;
    }

    /** Every project class reachable from {@code roots} without entering {@code stops}, with the strings of its constant pool. */
    private static Map<String, List<String>> reachable(List<Class<?>> roots, Set<String> stops) throws IOException {
        Map<String, List<String>> scanned = new LinkedHashMap<>();
        Deque<String> pending = new ArrayDeque<>(roots.stream().map(OpsPathBytecodeTest::internal).toList());
        while (!pending.isEmpty()) {
            String type = pending.pop();
            if (scanned.containsKey(type) || stops.contains(type)) {
                continue;
            }
            List<String> constants = constantPoolStrings(type);
            scanned.put(type, constants);
            for (String constant : constants) {
                Matcher named = PROJECT_CLASS.matcher(constant);
                while (named.find()) {
                    pending.push(named.group());
                }
            }
        }
        return scanned;
    }

    /** The CONSTANT_Utf8 entries of a compiled class (JVM spec 4.4). */
    private static List<String> constantPoolStrings(String type) throws IOException {
        try (InputStream bytes = OpsPathBytecodeTest.class.getClassLoader().getResourceAsStream(type + ".class")) {
            assertThat(bytes).as("class file of %s", type).isNotNull();
            DataInputStream in = new DataInputStream(bytes);
            in.skipBytes(8); // magic, minor and major version
            int count = in.readUnsignedShort();
            List<String> strings = new ArrayList<>();
            for (int index = 1; index < count; index++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> strings.add(in.readUTF());
                    case 7, 8, 16, 19, 20 -> in.skipBytes(2);
                    case 15 -> in.skipBytes(3);
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
                    case 5, 6 -> {
                        in.skipBytes(8);
                        index++; // a long or double takes two entries
                    }
                    default -> throw new IOException("unknown constant pool tag " + tag + " in " + type);
                }
            }
            return strings;
        }
    }

    private static String internal(Class<?> type) {
        return type.getName().replace('.', '/');
    }
}
