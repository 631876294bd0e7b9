package dev.deliberate.strategy.agot;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One DAG of tasks at one depth: the main graph, or the subgraph of a complex node. Node ids are local to the graph
 * (0, 1, 2, ... in order of creation) and are what the model cites; {@link Node#traceId()} prefixes them with the
 * path of enclosing nodes ({@code 2.1} is node 1 of node 2's subgraph). Nodes of one layer are answered concurrently,
 * so access is synchronized.
 */
final class Graph {

    private final int depth;
    private final String goal;
    private final String prefix;
    private int reserved;
    private final List<Node> nodes = new ArrayList<>();
    private final List<String> strategies = new ArrayList<>();

    /**
     * @param goal what this graph answers: the question for the main graph, the complex task for a subgraph
     * @param prefix trace-id prefix of its nodes, empty for the main graph
     */
    Graph(int depth, String goal, String prefix) {
        this(depth, goal, prefix, 0);
    }

    /** @param reserved task nodes already taken from the run's allowance for this graph's first tasks */
    Graph(int depth, String goal, String prefix, int reserved) {
        this.depth = depth;
        this.goal = goal;
        this.prefix = prefix;
        this.reserved = reserved;
    }

    /** The nodes reserved ahead for this graph, handed over once. */
    synchronized int claimReserved() {
        int claimed = reserved;
        reserved = 0;
        return claimed;
    }

    int depth() {
        return depth;
    }

    String goal() {
        return goal;
    }

    /** One task of the graph; {@code answer} and {@code complex} are set once it has been processed. */
    static final class Node {
        private final int id;
        private final String traceId;
        private final int layer;
        private final int depth;
        private final String title;
        private final String content;
        private final List<Integer> parents;
        private final boolean isFinal;
        private volatile @Nullable String answer;
        private volatile @Nullable Boolean complex;

        Node(
                int id,
                String traceId,
                int layer,
                int depth,
                String title,
                String content,
                List<Integer> parents,
                boolean isFinal) {
            this.id = id;
            this.traceId = traceId;
            this.layer = layer;
            this.depth = depth;
            this.title = title;
            this.content = content;
            this.parents = List.copyOf(parents);
            this.isFinal = isFinal;
        }

        int id() {
            return id;
        }

        String traceId() {
            return traceId;
        }

        int layer() {
            return layer;
        }

        int depth() {
            return depth;
        }

        String title() {
            return title;
        }

        String content() {
            return content;
        }

        List<Integer> parents() {
            return parents;
        }

        boolean isFinal() {
            return isFinal;
        }

        @Nullable
        String answer() {
            return answer;
        }

        void answer(String value) {
            answer = value;
        }

        @Nullable
        Boolean complex() {
            return complex;
        }

        void complex(boolean value) {
            complex = value;
        }
    }

    synchronized Node add(String title, String content, int layer, List<Integer> parents, boolean isFinal) {
        int id = nodes.size();
        Node node = new Node(id, prefix + id, layer, depth, title, content, parents, isFinal);
        nodes.add(node);
        return node;
    }

    /** The layer after the last one that holds a node: where a final node goes. */
    synchronized int nextLayer() {
        return nodes.stream().mapToInt(Node::layer).max().orElse(-1) + 1;
    }

    /** The next node's id, which a proposed task would get. */
    synchronized int nextId() {
        return nodes.size();
    }

    synchronized List<Node> nodes() {
        return List.copyOf(nodes);
    }

    synchronized List<Node> layer(int layer) {
        return nodes.stream().filter(n -> n.layer() == layer && !n.isFinal()).toList();
    }

    synchronized List<Integer> taskIds() {
        return nodes.stream().filter(n -> !n.isFinal()).map(Node::id).toList();
    }

    synchronized void strategy(String strategy) {
        strategies.add(strategy);
    }

    /**
     * The edges of a proposed node that may stand: parents among the task nodes below {@code limit} (the first id of
     * the layer being added, so no edge joins two nodes of one layer), each once. Every dropped edge is described in
     * {@code dropped}.
     */
    synchronized List<Integer> checkParents(
            List<Integer> requested, int ownId, int limit, String task, List<String> dropped) {
        Set<Integer> kept = new LinkedHashSet<>();
        for (Integer parent : requested) {
            if (parent == ownId) {
                dropped.add("self-loop on '" + task + "'");
            } else if (parent < 0
                    || parent >= limit
                    || parent >= nodes.size()
                    || nodes.get(parent).isFinal()) {
                dropped.add("unknown parent id " + parent + " of '" + task + "'");
            } else if (!kept.add(parent)) {
                dropped.add("duplicate edge " + parent + " -> '" + task + "'");
            }
        }
        return List.copyOf(kept);
    }

    /** Every transitive ancestor of {@code node} in this graph, in id order. */
    synchronized List<Node> ancestors(Node node) {
        Set<Integer> seen = new TreeSet<>();
        List<Integer> open = new ArrayList<>(node.parents());
        while (!open.isEmpty()) {
            int id = open.remove(open.size() - 1);
            if (seen.add(id)) {
                open.addAll(nodes.get(id).parents());
            }
        }
        return seen.stream().map(nodes::get).toList();
    }

    /** The per-layer strategies, one line each, for NEW_TASKS. */
    synchronized String strategies() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < strategies.size(); i++) {
            out.append("Layer ")
                    .append(i)
                    .append(": ")
                    .append(strategies.get(i))
                    .append('\n');
        }
        return out.isEmpty() ? "(none yet)" : out.toString().strip();
    }

    /** {@code id: title} per task node, for NEW_TASKS. */
    synchronized String nodeList() {
        StringBuilder out = new StringBuilder();
        for (Node node : nodes) {
            if (!node.isFinal()) {
                out.append(node.id())
                        .append(": ")
                        .append(escaped(node.title()).replace('\n', ' '))
                        .append('\n');
            }
        }
        return out.toString().strip();
    }

    /** The XML-like block the prompts show: per node its title, place, content, layer strategy, answer, children. */
    synchronized String serialize() {
        if (nodes.isEmpty()) {
            return "(empty)";
        }
        StringBuilder out = new StringBuilder();
        for (Node node : nodes) {
            out.append("<node id=\"")
                    .append(node.id())
                    .append("\" depth=\"")
                    .append(node.depth())
                    .append("\" layer=\"")
                    .append(node.layer())
                    .append("\">\n  <title>")
                    .append(escaped(node.title()))
                    .append("</title>\n  <content>")
                    .append(escaped(node.content()))
                    .append("</content>\n");
            if (node.layer() < strategies.size()) {
                out.append("  <strategy>").append(strategies.get(node.layer())).append("</strategy>\n");
            }
            String answer = node.answer();
            if (answer != null) {
                out.append("  <answer>").append(escaped(answer)).append("</answer>\n");
            }
            List<String> children = nodes.stream()
                    .filter(n -> n.parents().contains(node.id()))
                    .map(child -> escaped(child.title()))
                    .toList();
            if (!children.isEmpty()) {
                out.append("  <children>").append(String.join("; ", children)).append("</children>\n");
            }
            out.append("</node>\n");
        }
        return out.toString().strip();
    }

    /** Model text inside the graph's markup, escaped so that it cannot open or close a node of its own. */
    private static String escaped(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
