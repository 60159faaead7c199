package dev.charrnn.corpus;

/**
 * A small corpus for the API examples, so that Swagger UI's "Try it out" runs upload, train
 * and generate in order without editing anything. {@link #ID} is the id the store gives
 * {@link #TEXT}; a test keeps the two in step.
 */
public final class ExampleCorpus {

    public static final String TEXT = """
            The network reads one character at a time and guesses the next one.
            The guess is a distribution over every character it has seen.
            The hidden state carries what came before, step after step.
            The gradient flows back through time, and it can fade or it can grow.
            The gates of the long short-term memory keep it steady.
            The gated recurrent unit does the same with fewer weights.
            The vanilla cell forgets quickly, and its gradient vanishes.
            The clip keeps an exploding gradient from wrecking the weights.
            The sampler draws a character, feeds it back, and draws again.
            The temperature makes the draw bolder or more careful.
            The network reads one character at a time and guesses the next one.
            The hidden state carries what came before, step after step.
            """;

    public static final String ID = "973973413c1e2501";

    private ExampleCorpus() {
    }
}
