package dev.deliberate.model.djl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A TorchScript archive written without PyTorch: the zip that {@code torch.jit.save} writes, for a module
 * {@code __torch__.<className>} with one float parameter {@code weight} and the given {@code forward}. The layout is
 * what libtorch's {@code torch::jit::load} reads: {@code archive/version}, {@code archive/constants.pkl} (an empty
 * tuple), {@code archive/data.pkl} (the module object, pickle protocol 2, its tensor a persistent id pointing at
 * {@code archive/data/0}), {@code archive/data/0} (the raw little-endian storage) and
 * {@code archive/code/__torch__.py} (the class in TorchScript source, as {@code python_print} writes it). Entries are
 * stored uncompressed with a fixed time, so the same arguments give the same bytes.
 */
record TorchScriptArchive(String className, String forward, float[][] weight, String savedOn) {

    private static final FileTime EPOCH = FileTime.fromMillis(0);

    /**
     * @param forward the method's source, indented by two spaces (the class body's level), e.g. a {@code def forward}
     *     that reads {@code self.weight}
     * @param savedOn the device the weight was saved from, as PyTorch names it: {@code cpu}, {@code cuda:0}
     */
    TorchScriptArchive {}

    void write(Path file) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", modulePickle());
        entries.put("archive/code/__torch__.py", code().getBytes(StandardCharsets.UTF_8));
        entries.put("archive/constants.pkl", new Pickle().op(Pickle.EMPTY_TUPLE).end());
        entries.put("archive/data/0", storage());
        entries.put("archive/version", ascii("3\n"));
        entries.put("archive/byteorder", ascii("little"));
        try (OutputStream out = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(stored(entry.getKey(), entry.getValue()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
    }

    private String code() {
        return """
                class %s(Module):
                  __parameters__ = ["weight", ]
                  __buffers__ = []
                  weight : Tensor
                  training : bool
                %s""".formatted(className, forward);
    }

    /** The module object: class global, empty args, NEWOBJ, then its attributes as a dict, BUILD. */
    private byte[] modulePickle() {
        int rows = weight.length;
        int columns = weight[0].length;
        Pickle pickle = new Pickle()
                .global("__torch__", className)
                .op(Pickle.EMPTY_TUPLE)
                .op(Pickle.NEWOBJ)
                .op(Pickle.EMPTY_DICT)
                .op(Pickle.MARK)
                .string("training")
                .op(Pickle.NEWFALSE)
                .string("weight");
        // torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks)
        pickle.global("torch._utils", "_rebuild_tensor_v2")
                .op(Pickle.MARK)
                .op(Pickle.MARK)
                .string("storage")
                .global("torch", "FloatStorage")
                .string("0")
                .string(savedOn)
                .integer((long) rows * columns)
                .op(Pickle.TUPLE)
                .op(Pickle.BINPERSID)
                .integer(0)
                .op(Pickle.MARK)
                .integer(rows)
                .integer(columns)
                .op(Pickle.TUPLE)
                .op(Pickle.MARK)
                .integer(columns)
                .integer(1)
                .op(Pickle.TUPLE)
                .op(Pickle.NEWFALSE)
                .global("collections", "OrderedDict")
                .op(Pickle.EMPTY_TUPLE)
                .op(Pickle.REDUCE)
                .op(Pickle.TUPLE)
                .op(Pickle.REDUCE);
        return pickle.op(Pickle.SETITEMS).op(Pickle.BUILD).end();
    }

    private byte[] storage() {
        ByteBuffer buffer = ByteBuffer.allocate(weight.length * weight[0].length * Float.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : weight) {
            for (float value : row) {
                buffer.putFloat(value);
            }
        }
        return buffer.array();
    }

    private static ZipEntry stored(String name, byte[] data) {
        ZipEntry entry = new ZipEntry(name);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        entry.setCrc(crc.getValue());
        entry.setLastModifiedTime(EPOCH);
        return entry;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The few opcodes of pickle protocol 2 that libtorch's unpickler reads and this archive needs. */
    private static final class Pickle {
        static final int MARK = '(';
        static final int EMPTY_TUPLE = ')';
        static final int EMPTY_DICT = '}';
        static final int TUPLE = 't';
        static final int SETITEMS = 'u';
        static final int BUILD = 'b';
        static final int REDUCE = 'R';
        static final int BINPERSID = 'Q';
        static final int NEWOBJ = 0x81;
        static final int NEWFALSE = 0x89;

        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle() {
            out.write(0x80); // PROTO
            out.write(2);
        }

        Pickle op(int code) {
            out.write(code);
            return this;
        }

        Pickle global(String module, String name) {
            out.write('c');
            out.writeBytes(ascii(module + "\n" + name + "\n"));
            return this;
        }

        Pickle string(String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            out.write('X'); // BINUNICODE
            out.writeBytes(littleEndian(bytes.length));
            out.writeBytes(bytes);
            return this;
        }

        Pickle integer(long value) {
            if (value < 0 || value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("not an int32 this pickle writes: " + value);
            }
            out.write('J'); // BININT, signed 32-bit
            out.writeBytes(littleEndian((int) value));
            return this;
        }

        byte[] end() {
            out.write('.'); // STOP
            return out.toByteArray();
        }

        private static byte[] littleEndian(int value) {
            return ByteBuffer.allocate(Integer.BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(value)
                    .array();
        }
    }
}
