package dev.deliberate.api;

import tools.jackson.core.JacksonException;

/** Renders a Jackson error location as the field path a client wrote: {@code messages[0].content}. */
final class JsonPaths {

    private JsonPaths() {}

    static String of(JacksonException error) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : error.getPath()) {
            if (reference.getPropertyName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
