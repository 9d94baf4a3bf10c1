package import BazaarFunctions

extension ConfigurationError: ProblemConvertible {
  package var problem: Problem {
    Problem(status: 500, code: "configuration_error", title: "Configuration error", detail: description)
  }
}
