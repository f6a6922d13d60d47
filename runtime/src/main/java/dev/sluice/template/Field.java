package dev.sluice.template;

/**
 * A resolved property value and the path errors about it name.
 *
 * @param node the value with intrinsic functions applied
 * @param path where it is in the template
 */
record Field(Node node, String path) {}
