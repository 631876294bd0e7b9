package dev.deliberate.strategy.spar;

/**
 * The delimiter line that encloses user text in a prompt: a run of tildes longer than any run in the fenced texts,
 * so that no fenced text can contain it and close the fence early (the rule of Markdown code fences).
 *
 * @param line the delimiter, at least {@value #MIN_LENGTH} tildes
 */
record Fence(String line) {

    static final int MIN_LENGTH = 8;

    /** A fence that occurs in none of {@code texts}. */
    static Fence around(String... texts) {
        int longest = 0;
        for (String text : texts) {
            int run = 0;
            for (int i = 0; i < text.length(); i++) {
                run = text.charAt(i) == '~' ? run + 1 : 0;
                longest = Math.max(longest, run);
            }
        }
        return new Fence("~".repeat(Math.max(MIN_LENGTH, longest + 1)));
    }
}
