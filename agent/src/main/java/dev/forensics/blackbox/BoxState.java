package dev.forensics.blackbox;

/** Where a run is, as its black box says: the word in the file is what a later start reads back. */
enum BoxState {
    RUNNING("running"),
    SHUTTING_DOWN("shutting-down"),
    CLOSED("closed");

    private final String word;

    BoxState(String word) {
        this.word = word;
    }

    /** The word written in the box's {@code state} line. */
    String word() {
        return word;
    }

    /** The state a box's {@code state} line names; null for a missing or unknown word (a box from another version). */
    static BoxState of(String word) {
        for (BoxState s : values()) {
            if (s.word.equals(word)) {
                return s;
            }
        }
        return null;
    }
}
