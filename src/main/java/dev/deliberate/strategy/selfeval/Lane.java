package dev.deliberate.strategy.selfeval;

import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.run.Run;
import dev.deliberate.run.StepKind;
import dev.deliberate.run.StepNotes;
import dev.deliberate.strategy.Roles;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One streamed sample of {@code prune}, as one GROUP step of the trace holding its STREAM and EVALUATE steps. The
 * stream is read into a buffer; at the checkpoint (or at its end, if it ends first) the prefix is scored and the
 * {@link #reading()} published, while the stream runs on. The strategy then calls {@link #keep()} or {@link #prune()}:
 * pruning cancels the group, and with it the stream and its backend connection.
 *
 * <p>The buffer is written by the stream's signals only and read after the stream has completed, so it needs no lock.
 */
final class Lane {

    /**
     * The stream at its checkpoint and the score its text got.
     *
     * @param complete whether the stream ended before the checkpoint, so that the text is the full response
     */
    record Reading(String text, int tokens, boolean complete, double score) {}

    private record Snapshot(String text, int tokens, boolean complete) {}

    private final int index;
    private final int checkpoint;
    private final StringBuilder text = new StringBuilder();
    private int tokens;
    private @Nullable String finishReason;
    private boolean reached;
    private final Sinks.One<Snapshot> atCheckpoint = Sinks.one();
    private final Sinks.One<Reading> reading = Sinks.one();
    private final Sinks.Empty<Void> kept = Sinks.empty();
    private final Sinks.One<Boolean> pruned = Sinks.one();
    private volatile @Nullable StepNotes notes;
    private volatile @Nullable Reading scored;

    Lane(int index, int checkpoint) {
        this.index = index;
        this.checkpoint = checkpoint;
    }

    int index() {
        return index;
    }

    /** The scored sample once it has finished, or empty when it was pruned. */
    Mono<Scored> run(Run run, GenerationRequest request, List<ChatMessage> conversation, SelfEvaluator evaluator) {
        return run.step(StepKind.GROUP, "sample", notes -> body(run, request, conversation, evaluator, notes))
                .takeUntilOther(pruned.asMono());
    }

    /** Published once the checkpoint's score is known. */
    Mono<Reading> reading() {
        return reading.asMono();
    }

    /** Lets the stream finish; it will be scored again on its full text. */
    void keep() {
        note("pruned", false);
        kept.tryEmitEmpty();
    }

    /** Cancels the stream (closing its backend connection) and marks its group step as pruned. */
    void prune() {
        note("pruned", true);
        pruned.tryEmitValue(true);
    }

    private Mono<Scored> body(
            Run run,
            GenerationRequest request,
            List<ChatMessage> conversation,
            SelfEvaluator evaluator,
            StepNotes stepNotes) {
        this.notes = stepNotes;
        stepNotes.put("sample", index);
        Mono<Void> streamed =
                run.stream(Roles.SOLVER, request).doOnNext(this::accept).then(Mono.fromRunnable(this::finish));
        Mono<Void> checked = atCheckpoint
                .asMono()
                .flatMap(snapshot -> evaluator
                        .score(run, conversation, snapshot.text())
                        .map(score -> new Reading(snapshot.text(), snapshot.tokens(), snapshot.complete(), score)))
                .doOnNext(checkpointed -> {
                    scored = checkpointed;
                    stepNotes
                            .put("checkpoint_tokens", checkpointed.tokens())
                            .put("checkpoint_score", checkpointed.score())
                            .put("complete_at_checkpoint", checkpointed.complete());
                    reading.tryEmitValue(checkpointed);
                })
                .then();
        return Mono.when(streamed, checked).then(Mono.defer(() -> {
            Reading checkpointed = Objects.requireNonNull(scored, "checkpoint reading");
            if (checkpointed.complete()) {
                stepNotes.put("score", checkpointed.score());
                return Mono.just(new Scored(index, checkpointed.text(), checkpointed.score(), cut()));
            }
            return kept.asMono().then(Mono.defer(() -> {
                String full = text.toString();
                return evaluator.score(run, conversation, full).map(score -> {
                    stepNotes.put("score", score);
                    return new Scored(index, full, score, cut());
                });
            }));
        }));
    }

    private void accept(GenerationChunk chunk) {
        if (chunk.isUsageOnly()) {
            return;
        }
        text.append(chunk.delta());
        tokens += chunk.tokenCount();
        if (chunk.finishReason() != null) {
            finishReason = chunk.finishReason();
            return; // the stream ends here: finish() reads it as complete
        }
        if (!reached && tokens >= checkpoint) {
            reached = true;
            atCheckpoint.tryEmitValue(new Snapshot(text.toString(), tokens, false));
        }
    }

    private void finish() {
        if (!reached) {
            reached = true;
            atCheckpoint.tryEmitValue(new Snapshot(text.toString(), tokens, true));
        }
    }

    private boolean cut() {
        return "length".equals(finishReason);
    }

    private void note(String key, Object value) {
        StepNotes current = notes;
        if (current != null) {
            current.put(key, value);
        }
    }
}
