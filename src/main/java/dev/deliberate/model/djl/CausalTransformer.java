package dev.deliberate.model.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The project's own decoder-only transformer as a DJL block: token and position embeddings, {@code layers} pre-norm
 * blocks (causal multi-head self-attention, then a GELU MLP, each added to the residual stream), a final layer norm
 * and the output head (the token embedding, transposed, when tied).
 *
 * <p>Input: token ids {@code (batch, time)} as int64; output: logits {@code (batch, time, vocab)}. Every operation is
 * a differentiable NDArray op, so DJL's {@code Trainer} trains it as it is; {@code Model.save} writes its parameters
 * and {@code Model.load} reads them back into a block built from the same {@link ModelConfig}.
 */
public final class CausalTransformer extends AbstractBlock {

    private static final byte VERSION = 1;

    private final ModelConfig config;
    private final Parameter tokenEmbedding;
    private final Parameter positionEmbedding;
    private final List<Layer> blocks = new ArrayList<>();
    private final Parameter finalNormGamma;
    private final Parameter finalNormBeta;
    private final @Nullable Parameter head;

    /** The parameters of one block; matrices are stored (in, out) so that {@code x.matMul(w)} applies them. */
    private record Layer(
            Parameter norm1Gamma,
            Parameter norm1Beta,
            Parameter qkvWeight,
            Parameter qkvBias,
            Parameter outWeight,
            Parameter outBias,
            Parameter norm2Gamma,
            Parameter norm2Beta,
            Parameter mlpInWeight,
            Parameter mlpInBias,
            Parameter mlpOutWeight,
            Parameter mlpOutBias) {}

    private CausalTransformer(ModelConfig config) {
        super(VERSION);
        config.requireTransformer();
        this.config = config;
        int d = config.embeddingSize();
        tokenEmbedding = embedding("token_embedding", new Shape(config.vocabSize(), d));
        positionEmbedding = embedding("position_embedding", new Shape(config.contextLength(), d));
        for (int i = 0; i < config.layers(); i++) {
            String p = "block" + i + ".";
            blocks.add(new Layer(
                    parameter(p + "norm1.gamma", Parameter.Type.GAMMA, new Shape(d)),
                    parameter(p + "norm1.beta", Parameter.Type.BETA, new Shape(d)),
                    parameter(p + "attention.qkv.weight", Parameter.Type.WEIGHT, new Shape(d, 3L * d)),
                    parameter(p + "attention.qkv.bias", Parameter.Type.BIAS, new Shape(3L * d)),
                    parameter(p + "attention.out.weight", Parameter.Type.WEIGHT, new Shape(d, d)),
                    parameter(p + "attention.out.bias", Parameter.Type.BIAS, new Shape(d)),
                    parameter(p + "norm2.gamma", Parameter.Type.GAMMA, new Shape(d)),
                    parameter(p + "norm2.beta", Parameter.Type.BETA, new Shape(d)),
                    parameter(p + "mlp.in.weight", Parameter.Type.WEIGHT, new Shape(d, config.mlpSize())),
                    parameter(p + "mlp.in.bias", Parameter.Type.BIAS, new Shape(config.mlpSize())),
                    parameter(p + "mlp.out.weight", Parameter.Type.WEIGHT, new Shape(config.mlpSize(), d)),
                    parameter(p + "mlp.out.bias", Parameter.Type.BIAS, new Shape(d))));
        }
        finalNormGamma = parameter("final_norm.gamma", Parameter.Type.GAMMA, new Shape(d));
        finalNormBeta = parameter("final_norm.beta", Parameter.Type.BETA, new Shape(d));
        head = config.tiedHead()
                ? null
                : parameter("head.weight", Parameter.Type.WEIGHT, new Shape(d, config.vocabSize()));
    }

    /** A block with the architecture of {@code config}, not yet initialized. */
    public static CausalTransformer of(ModelConfig config) {
        return new CausalTransformer(config);
    }

    /** Initializes fresh parameters (as a trainer does before its first step). */
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, config.contextLength()));
    }

    public ModelConfig config() {
        return config;
    }

    private Parameter embedding(String name, Shape shape) {
        return addParameter(Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.WEIGHT)
                .optShape(shape)
                .optInitializer(new NormalInitializer(0.02f))
                .build());
    }

    private Parameter parameter(String name, Parameter.Type type, Shape shape) {
        return addParameter(
                Parameter.builder().setName(name).setType(type).optShape(shape).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, @Nullable PairList<String, Object> params) {
        NDArray ids = inputs.singletonOrThrow();
        Device device = ids.getDevice();
        long batch = ids.getShape().get(0);
        long time = ids.getShape().get(1);
        if (time > config.contextLength()) {
            throw new IllegalArgumentException(
                    "input has " + time + " tokens; context_length is " + config.contextLength());
        }
        NDArray tokens = store.getValue(tokenEmbedding, device, training);
        NDArray positions = store.getValue(positionEmbedding, device, training);
        NDArray x = ids.getNDArrayInternal()
                .embedding(ids, tokens, SparseFormat.DENSE)
                .singletonOrThrow()
                .add(positions.get(new NDIndex("0:{}", time)));
        NDArray mask = causalMask(ids.getManager(), 0, time);
        for (Layer layer : blocks) {
            x = x.add(attention(store, layer, x, mask, null, null, null, null, batch, time, device, training));
            NDArray h = norm(store, x, layer.norm2Gamma(), layer.norm2Beta(), device, training);
            NDArray hidden =
                    Activation.gelu(linear(store, h, layer.mlpInWeight(), layer.mlpInBias(), device, training));
            x = x.add(linear(store, hidden, layer.mlpOutWeight(), layer.mlpOutBias(), device, training));
        }
        x = norm(store, x, finalNormGamma, finalNormBeta, device, training);
        NDArray logits = head == null ? x.matMul(tokens.transpose()) : x.matMul(store.getValue(head, device, training));
        return new NDList(logits);
    }

    /**
     * The keys and values of every block for the positions seen so far, one array per block, each {@code (batch,
     * heads, positions, head_size)}. The arrays belong to the manager that made them (see {@link #attach}).
     */
    public record Cache(List<NDArray> keys, List<NDArray> values) {

        public Cache {
            keys = List.copyOf(keys);
            values = List.copyOf(values);
        }

        /** The positions cached. */
        public long length() {
            return keys.get(0).getShape().get(2);
        }

        /** The rows (batch entries) cached. */
        public long batch() {
            return keys.get(0).getShape().get(0);
        }

        /**
         * The cache of the given rows, in that order; a row may repeat (a shared prompt copied to each choice) or be
         * left out (a finished choice). The new arrays live in the manager of this cache's arrays.
         */
        public Cache rows(long[] rows) {
            return new Cache(select(keys, rows), select(values, rows));
        }

        private static List<NDArray> select(List<NDArray> arrays, long[] rows) {
            List<NDArray> selected = new ArrayList<>(arrays.size());
            for (NDArray array : arrays) {
                NDList parts = new NDList(rows.length);
                for (long row : rows) {
                    parts.add(array.get(new NDIndex("{}:{}", row, row + 1)));
                }
                selected.add(NDArrays.concat(parts, 0));
            }
            return selected;
        }

        /** Moves every array to {@code manager}, so that it outlives the manager of the step that made it. */
        public void attach(NDManager manager) {
            keys.forEach(array -> array.attach(manager));
            values.forEach(array -> array.attach(manager));
        }
    }

    /** One incremental step: the logits of the last new position {@code (batch, vocab)} and the grown cache. */
    public record Step(NDArray logits, Cache cache) {}

    /**
     * The same network as {@link #forward} for the new token ids {@code (batch, new)} only, at positions that continue
     * after {@code past} (from 0 without one): their keys and values join the cache, and only the last position's
     * logits are computed. Inference only (no gradients).
     *
     * <p>Every new array lives in the manager of {@code ids}, except the grown keys and values, which live in the
     * manager of {@code past}'s arrays when there is a past; attach the returned cache where it should live.
     */
    public Step forwardCached(ParameterStore store, NDArray ids, @Nullable Cache past) {
        Device device = ids.getDevice();
        NDManager manager = ids.getManager();
        long batch = ids.getShape().get(0);
        long time = ids.getShape().get(1);
        long start = past == null ? 0 : past.length();
        if (start + time > config.contextLength()) {
            throw new IllegalArgumentException(
                    "input reaches " + (start + time) + " tokens; context_length is " + config.contextLength());
        }
        if (past != null && past.batch() != batch) {
            throw new IllegalArgumentException("input has " + batch + " rows; the cache has " + past.batch());
        }
        NDArray tokens = store.getValue(tokenEmbedding, device, false);
        NDArray positions = store.getValue(positionEmbedding, device, false)
                .get(manager, new NDIndex("{}:{}", start, start + time));
        NDArray x = ids.getNDArrayInternal()
                .embedding(ids, tokens, SparseFormat.DENSE)
                .singletonOrThrow()
                .add(positions);
        // one new position attends to every cached one and itself: nothing to mask
        NDArray mask = time == 1 ? null : causalMask(manager, start, time);
        List<NDArray> keys = new ArrayList<>(blocks.size());
        List<NDArray> values = new ArrayList<>(blocks.size());
        for (int i = 0; i < blocks.size(); i++) {
            Layer layer = blocks.get(i);
            x = x.add(attention(
                    store,
                    layer,
                    x,
                    mask,
                    past == null ? null : past.keys().get(i),
                    past == null ? null : past.values().get(i),
                    keys,
                    values,
                    batch,
                    time,
                    device,
                    false));
            NDArray h = norm(store, x, layer.norm2Gamma(), layer.norm2Beta(), device, false);
            NDArray hidden = Activation.gelu(linear(store, h, layer.mlpInWeight(), layer.mlpInBias(), device, false));
            x = x.add(linear(store, hidden, layer.mlpOutWeight(), layer.mlpOutBias(), device, false));
        }
        x = x.get(new NDIndex(":, -1, :"));
        x = norm(store, x, finalNormGamma, finalNormBeta, device, false);
        NDArray logits;
        if (head == null) {
            // an op's result joins its operand's manager: without the attach the transposed view of the weights
            // would stay in the model's manager, one per step
            NDArray table = tokens.transpose();
            table.attach(manager);
            logits = x.matMul(table);
        } else {
            logits = x.matMul(store.getValue(head, device, false));
        }
        return new Step(logits, new Cache(keys, values));
    }

    /**
     * Causal self-attention of the new positions {@code x} over the past ones (their keys and values, when cached) and
     * themselves; the grown keys and values are added to {@code keys} and {@code values} when given.
     */
    private NDArray attention(
            ParameterStore store,
            Layer layer,
            NDArray x,
            @Nullable NDArray mask,
            @Nullable NDArray pastKeys,
            @Nullable NDArray pastValues,
            @Nullable List<NDArray> keys,
            @Nullable List<NDArray> values,
            long batch,
            long time,
            Device device,
            boolean training) {
        int heads = config.heads();
        long headSize = config.embeddingSize() / heads;
        NDArray h = norm(store, x, layer.norm1Gamma(), layer.norm1Beta(), device, training);
        NDList qkv = linear(store, h, layer.qkvWeight(), layer.qkvBias(), device, training)
                .split(3, 2);
        Shape split = new Shape(batch, time, heads, headSize);
        // (batch, heads, time, headSize)
        NDArray q = qkv.get(0).reshape(split).transpose(0, 2, 1, 3);
        NDArray k = qkv.get(1).reshape(split).transpose(0, 2, 1, 3);
        NDArray v = qkv.get(2).reshape(split).transpose(0, 2, 1, 3);
        if (pastKeys != null && pastValues != null) {
            k = pastKeys.concat(k, 2);
            v = pastValues.concat(v, 2);
        }
        if (keys != null && values != null) {
            keys.add(k);
            values.add(v);
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div(Math.sqrt(headSize));
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray merged = scores.softmax(-1)
                .matMul(v)
                .transpose(0, 2, 1, 3)
                .reshape(new Shape(batch, time, config.embeddingSize()));
        return linear(store, merged, layer.outWeight(), layer.outBias(), device, training);
    }

    /** {@code (time, start + time)}: new position i (at start + i) may attend to every position up to its own. */
    private static NDArray causalMask(NDManager manager, long start, long time) {
        NDArray rows = manager.arange((int) start, (int) (start + time)).reshape(time, 1);
        NDArray columns = manager.arange((int) (start + time)).reshape(1, start + time);
        return columns.gt(rows).toType(DataType.FLOAT32, false).mul(-1e9f);
    }

    private NDArray norm(
            ParameterStore store, NDArray x, Parameter gamma, Parameter beta, Device device, boolean training) {
        return LayerNorm.layerNorm(
                        x,
                        new Shape(config.embeddingSize()),
                        store.getValue(gamma, device, training),
                        store.getValue(beta, device, training),
                        (float) config.layerNormEpsilon())
                .singletonOrThrow();
    }

    private static NDArray linear(
            ParameterStore store, NDArray x, Parameter weight, Parameter bias, Device device, boolean training) {
        return x.matMul(store.getValue(weight, device, training)).add(store.getValue(bias, device, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), inputShapes[0].get(1), config.vocabSize())};
    }
}
