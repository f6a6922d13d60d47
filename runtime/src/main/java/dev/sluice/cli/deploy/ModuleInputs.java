package dev.sluice.cli.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * What a Maven module's package is built from, as far as an edit can make it stale: the module's
 * pom and sources, the poms above it up to the reactor root and the parent poms its {@code
 * relativePath} chain reaches, and the same for every module of that reactor it depends on,
 * transitively (a handler module built from a shared model module, or from the functions SDK in
 * this repository). Poms are read only for their coordinates, modules and dependencies; properties
 * are not resolved, so a dependency whose groupId is a property matches a reactor module by
 * artifactId alone. A pom that cannot be read adds nothing but itself.
 */
final class ModuleInputs {

  private ModuleInputs() {}

  /** The directories and files whose newest modification time tells whether to rebuild. */
  static List<Path> of(Path module, Path reactorRoot) {
    Path self = module.toAbsolutePath().normalize();
    Path root = reactorRoot.toAbsolutePath().normalize();
    Map<String, Path> reactor = root.equals(self) ? Map.of() : reactorModules(root);
    Set<Path> modules = new LinkedHashSet<>();
    Deque<Path> todo = new ArrayDeque<>(List.of(self));
    while (!todo.isEmpty()) {
      Path m = todo.pop();
      if (modules.add(m)) {
        for (String dep : dependencies(m)) {
          // a dependency whose groupId is a property (or missing) matches by artifactId alone
          Path found = reactor.get(dep);
          if (found != null) {
            todo.push(found);
          }
        }
      }
    }
    List<Path> inputs = new ArrayList<>();
    for (Path m : modules) {
      inputs.add(m.resolve("pom.xml"));
      inputs.add(m.resolve("src"));
      for (Path p = m.getParent(); p != null && p.startsWith(root); p = p.getParent()) {
        inputs.add(p.resolve("pom.xml"));
      }
      inputs.addAll(parentPoms(m));
    }
    return inputs.stream().distinct().toList();
  }

  /**
   * The poms a module inherits from through {@code <parent><relativePath>} (default {@code
   * ../pom.xml}), which need not be in a directory above it (a sibling {@code parent/} module,
   * say).
   */
  private static List<Path> parentPoms(Path module) {
    List<Path> out = new ArrayList<>();
    Set<Path> seen = new LinkedHashSet<>();
    Path current = module.resolve("pom.xml");
    while (seen.add(current)) {
      Element parent = child(parse(current), "parent");
      if (parent == null) {
        break;
      }
      Element rel = child(parent, "relativePath");
      String path = rel == null ? "../pom.xml" : rel.getTextContent().trim();
      if (path.isEmpty()) {
        break; // an empty relativePath means: from a repository, not from this tree
      }
      Path pom = current.getParent().resolve(path).normalize();
      if (Files.isDirectory(pom)) {
        pom = pom.resolve("pom.xml");
      }
      if (!Files.isRegularFile(pom)) {
        break;
      }
      out.add(pom);
      current = pom;
    }
    return out;
  }

  /**
   * The reactor's modules by {@code groupId:artifactId}, and by {@code :artifactId} for matching a
   * dependency whose groupId is a property.
   */
  private static Map<String, Path> reactorModules(Path root) {
    Map<String, Path> out = new HashMap<>();
    Deque<Path> todo = new ArrayDeque<>(List.of(root));
    Set<Path> seen = new LinkedHashSet<>();
    while (!todo.isEmpty()) {
      Path m = todo.pop();
      Element project = project(m);
      if (!seen.add(m) || project == null) {
        continue;
      }
      String artifact = text(project, "artifactId");
      out.put(groupOf(project) + ":" + artifact, m);
      out.putIfAbsent(":" + artifact, m);
      for (Element sub : children(child(project, "modules"), "module")) {
        todo.push(m.resolve(sub.getTextContent().trim()).normalize());
      }
    }
    return out;
  }

  /** The {@code groupId:artifactId} of each of the module's declared dependencies. */
  private static List<String> dependencies(Path module) {
    Element project = project(module);
    if (project == null) {
      return List.of();
    }
    String ownGroup = groupOf(project);
    List<String> out = new ArrayList<>();
    for (Element d : children(child(project, "dependencies"), "dependency")) {
      String group = text(d, "groupId");
      if (group.equals("${project.groupId}")) {
        group = ownGroup;
      } else if (group.startsWith("${")) {
        group = ""; // unresolved: ":" + artifactId, the reactor's by-artifactId entry
      }
      out.add(group + ":" + text(d, "artifactId"));
    }
    return out;
  }

  private static String groupOf(Element project) {
    String group = text(project, "groupId");
    return group.isEmpty() ? text(child(project, "parent"), "groupId") : group;
  }

  private static Element project(Path module) {
    return parse(module.resolve("pom.xml"));
  }

  private static Element parse(Path pom) {
    if (!Files.isRegularFile(pom)) {
      return null;
    }
    try {
      Document doc = parser().parse(pom.toFile());
      return doc.getDocumentElement();
    } catch (IOException | SAXException | ParserConfigurationException e) {
      return null; // Maven itself will say what is wrong with it when it builds
    }
  }

  private static DocumentBuilder parser() throws ParserConfigurationException {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder();
  }

  private static Element child(Element parent, String name) {
    if (parent == null) {
      return null;
    }
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && name.equals(e.getTagName())) {
        return e;
      }
    }
    return null;
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    if (parent == null) {
      return out;
    }
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && name.equals(e.getTagName())) {
        out.add(e);
      }
    }
    return out;
  }

  private static String text(Element parent, String name) {
    Element e = child(parent, name);
    return e == null ? "" : e.getTextContent().trim();
  }
}
