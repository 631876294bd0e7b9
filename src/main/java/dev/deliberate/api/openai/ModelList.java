package dev.deliberate.api.openai;

import java.util.List;

/** {@code GET /v1/models}: the profiles, in OpenAI's list format. */
public record ModelList(String object, List<Model> data) {

    public record Model(String id, String object, long created, String ownedBy) {}
}
