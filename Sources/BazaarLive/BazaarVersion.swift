/// The release this build belongs to (`bazaar --version`).
package enum BazaarVersion {
  /// Semantic version; the minor number moves with each delivered capability.
  package static let current = "0.6.0"
}
