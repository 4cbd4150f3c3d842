package org.tempalias.deploy;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/** Reads the operator's configuration file: JSON when it ends in .json, YAML otherwise. */
final class ConfigFile {
  private ConfigFile() {}

  static JsonObject read(Path path) {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + path + ": " + e.getMessage(), e);
    }
    if (path.getFileName().toString().toLowerCase().endsWith(".json")) {
      return parseJson(path, text);
    }
    return parseYaml(path, text);
  }

  private static JsonObject parseJson(Path path, String text) {
    try {
      return new JsonObject(text);
    } catch (DecodeException e) {
      throw new ConfigException("config file " + path + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static JsonObject parseYaml(Path path, String text) {
    Object document;
    try {
      // SafeConstructor: a config file never instantiates arbitrary classes.
      document = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (YAMLException e) {
      throw new ConfigException("config file " + path + " is not valid YAML: " + e.getMessage(), e);
    }
    if (document == null) {
      return new JsonObject();
    }
    if (!(document instanceof Map)) {
      throw new ConfigException("config file " + path + " must hold a mapping of settings at its top level");
    }
    return new JsonObject((Map<String, Object>) document);
  }
}
