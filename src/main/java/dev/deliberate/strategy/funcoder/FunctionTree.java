package dev.deliberate.strategy.funcoder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The program FunCoder is writing: the client's code around the entry point (its imports, constants and given
 * helpers) and the tree of functions below the entry point. One run owns one tree; its depth-first search is
 * sequential, and the methods are synchronized because the steps of that sequence run on different threads.
 */
final class FunctionTree {

    /** A function of the tree. Its text is its committed implementation, else its divide draft, else its stub. */
    static final class Node {
        private final String name;
        private final int depth;
        private final String stub;
        private final String signature;
        private final List<String> children = new ArrayList<>();
        private @Nullable String draft;
        private @Nullable String code;

        private Node(String name, int depth, String stub, String signature) {
            this.name = name;
            this.depth = depth;
            this.stub = stub;
            this.signature = signature;
        }

        String name() {
            return name;
        }

        int depth() {
            return depth;
        }

        /** The function as it was declared, before FunCoder wrote it; shown when its body is hidden. */
        String stub() {
            return stub;
        }

        /** Its header as Python's {@code ast.unparse} writes it; every implementation must keep it. */
        String signature() {
            return signature;
        }

        /** Whether it takes no arguments, so that calling it is its only test input. */
        boolean takesNoArguments() {
            return signature.matches("^(async )?def \\w+\\(\\).*");
        }

        private String text() {
            return code != null ? code : draft != null ? draft : stub;
        }
    }

    private final String preamble;
    private final String root;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Set<String> imports = new LinkedHashSet<>();

    /**
     * @param preamble the client's code without the entry point's stub
     * @param rootStub the entry point as the client declared it
     */
    FunctionTree(String preamble, String root, String rootStub, String rootSignature) {
        this.preamble = preamble.strip();
        this.root = root;
        nodes.put(root, new Node(root, 0, rootStub, rootSignature));
    }

    synchronized Node root() {
        return node(root);
    }

    synchronized Node node(String name) {
        Node node = nodes.get(name);
        if (node == null) {
            throw new IllegalArgumentException("no function " + name + " in the tree");
        }
        return node;
    }

    synchronized boolean contains(String name) {
        return nodes.containsKey(name);
    }

    synchronized int size() {
        return nodes.size();
    }

    /** Declares {@code name} as a helper of {@code parent}, still to be written. */
    synchronized Node declare(String parent, String name, String stub, String signature) {
        Node parentNode = node(parent);
        Node child = new Node(name, parentNode.depth + 1, stub, signature);
        nodes.put(name, child);
        parentNode.children.add(name);
        return child;
    }

    synchronized void draft(String name, String draft) {
        node(name).draft = draft;
    }

    synchronized @Nullable String draftOf(String name) {
        return node(name).draft;
    }

    /**
     * Commits {@code name}'s chosen implementation, the helpers that implementation defined beside it and the
     * imports it needs.
     */
    synchronized void commit(String name, String code, List<Helper> helpers, List<String> newImports) {
        Node node = node(name);
        node.code = code;
        for (Helper helper : helpers) {
            if (!nodes.containsKey(helper.name())) {
                Node added = declare(name, helper.name(), helper.source(), helper.signature());
                added.code = helper.source();
            }
        }
        imports.addAll(newImports);
    }

    /** A function an implementation brought along. */
    record Helper(String name, String signature, String source) {}

    /** The names of {@code name}'s helpers, in the order they were declared. */
    synchronized List<String> children(String name) {
        return List.copyOf(node(name).children);
    }

    /** The code a divide step sees: everything but {@code name} itself, helpers before their callers. */
    synchronized String contextFor(String name) {
        List<String> parts = header();
        for (Node node : postOrder(node(root))) {
            if (!node.name.equals(name)) {
                parts.add(node.text());
            }
        }
        return join(parts);
    }

    /** The committed helpers below {@code name}, helpers before their callers, after the client's code. */
    synchronized String helpersOf(String name) {
        List<String> parts = header();
        for (Node node : postOrder(node(name))) {
            if (!node.name.equals(name) && node.code != null) {
                parts.add(node.code);
            }
        }
        return join(parts);
    }

    /** The program to run for one candidate implementation of {@code name}. */
    synchronized String programWith(String name, String candidate) {
        String helpers = helpersOf(name);
        return helpers.isEmpty() ? candidate : helpers + "\n\n\n" + candidate;
    }

    /** The whole program as it stands: each function's committed code, else its draft, else its stub. */
    synchronized String program() {
        List<String> parts = header();
        for (Node node : postOrder(node(root))) {
            parts.add(node.text());
        }
        return join(parts);
    }

    /** The tree as nested names, for the solution's notes. */
    synchronized Map<String, Object> shape() {
        return shape(node(root));
    }

    private Map<String, Object> shape(Node node) {
        Map<String, Object> children = new LinkedHashMap<>();
        for (String child : node.children) {
            children.putAll(shape(node(child)));
        }
        return Map.of(node.name, children);
    }

    private List<String> header() {
        List<String> parts = new ArrayList<>();
        if (!imports.isEmpty()) {
            parts.add(String.join("\n", imports));
        }
        if (!preamble.isEmpty()) {
            parts.add(preamble);
        }
        return parts;
    }

    private List<Node> postOrder(Node top) {
        List<Node> order = new ArrayList<>();
        visit(top, order);
        return order;
    }

    private void visit(Node node, List<Node> order) {
        for (String child : node.children) {
            visit(node(child), order);
        }
        order.add(node);
    }

    private static String join(List<String> parts) {
        List<String> kept = new ArrayList<>();
        for (String part : parts) {
            if (!part.isBlank()) {
                kept.add(part.strip());
            }
        }
        return String.join("\n\n\n", kept);
    }
}
