package dev.sluice.template;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A template value with where it was written: the parsers build these so every error can name a
 * line and column.
 */
final class Node {

  enum Kind {
    MAP,
    LIST,
    SCALAR,
    /** Ref AWS::NoValue: the property is left out. */
    NO_VALUE,
    /** A value whose error is already reported; readers skip it silently. */
    INVALID
  }

  enum Type {
    STRING,
    NUMBER,
    BOOL,
    NULL
  }

  static final Node NO_VALUE = new Node(Kind.NO_VALUE, null, null, null, null, 1, 1, 1, 1);
  static final Node INVALID = new Node(Kind.INVALID, null, null, null, null, 1, 1, 1, 1);

  final Kind kind;
  final String text;
  final Type type;
  final Map<String, Node> entries;
  final List<Node> items;
  final int line;
  final int column;

  /** Where the key holding this value is; the value's own position for list items and root. */
  final int keyLine;

  final int keyColumn;

  private Node(
      Kind kind,
      String text,
      Type type,
      Map<String, Node> entries,
      List<Node> items,
      int line,
      int column,
      int keyLine,
      int keyColumn) {
    this.kind = kind;
    this.text = text;
    this.type = type;
    this.entries = entries;
    this.items = items;
    this.line = line;
    this.column = column;
    this.keyLine = keyLine;
    this.keyColumn = keyColumn;
  }

  static Node scalar(String text, Type type, Node at) {
    return new Node(
        Kind.SCALAR, text, type, null, null, at.line, at.column, at.keyLine, at.keyColumn);
  }

  static Node scalar(String text, Type type, int line, int column) {
    return new Node(Kind.SCALAR, text, type, null, null, line, column, line, column);
  }

  static Node map(Map<String, Node> entries, Node at) {
    return new Node(
        Kind.MAP, null, null, entries, null, at.line, at.column, at.keyLine, at.keyColumn);
  }

  static Node map(Map<String, Node> entries, int line, int column) {
    return new Node(Kind.MAP, null, null, entries, null, line, column, line, column);
  }

  static Node list(List<Node> items, Node at) {
    return new Node(
        Kind.LIST, null, null, null, items, at.line, at.column, at.keyLine, at.keyColumn);
  }

  static Node list(List<Node> items, int line, int column) {
    return new Node(Kind.LIST, null, null, null, items, line, column, line, column);
  }

  /** This value as held by a key at {@code keyLine:keyColumn}. */
  Node underKey(int keyLine, int keyColumn) {
    return new Node(kind, text, type, entries, items, line, column, keyLine, keyColumn);
  }

  /** This value at the position of {@code at}, for values an intrinsic function produced. */
  Node movedTo(Node at) {
    if (kind == Kind.NO_VALUE || kind == Kind.INVALID) {
      return this;
    }
    return new Node(kind, text, type, entries, items, at.line, at.column, at.keyLine, at.keyColumn);
  }

  /** A one-entry map, the long form of an intrinsic function written as a YAML tag. */
  static Node function(String name, Node argument, Node at) {
    Map<String, Node> m = new LinkedHashMap<>();
    m.put(name, argument);
    return map(m, at);
  }

  boolean isMap() {
    return kind == Kind.MAP;
  }

  boolean isList() {
    return kind == Kind.LIST;
  }

  boolean isScalar() {
    return kind == Kind.SCALAR;
  }

  boolean isInvalid() {
    return kind == Kind.INVALID;
  }

  /** A map with one key that names an intrinsic function ({@code Ref} or {@code Fn::*}). */
  String functionName() {
    if (kind != Kind.MAP || entries.size() != 1) {
      return null;
    }
    String key = entries.keySet().iterator().next();
    return key.equals("Ref") || key.startsWith("Fn::") ? key : null;
  }

  Node functionArgument() {
    return entries.values().iterator().next();
  }
}
