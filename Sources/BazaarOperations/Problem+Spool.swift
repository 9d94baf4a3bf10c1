package import BazaarFunctions
package import QueuePort
package import Spool

extension QueueError: ProblemConvertible {
  package var problem: Problem {
    let description = description
    return switch self {
    case .queueNotFound:
      Problem(status: 404, code: "queue_not_found", title: "No such queue", detail: description)
    case .invalidQueueName:
      Problem(status: 400, code: "invalid_queue_name", title: "Invalid queue name", detail: description)
    case .messageTooLarge:
      Problem(status: 413, code: "message_too_large", title: "Message too large", detail: description)
    case .invalidMessage:
      Problem(status: 422, code: "invalid_message", title: "Not a CloudEvents 1.0 JSON message", detail: description)
    case .invalidReceipt: Problem(status: 400, code: "invalid_receipt", title: "Invalid receipt", detail: description)
    case .leaseLost: Problem(status: 409, code: "lease_lost", title: "Lease no longer held", detail: description)
    case .messageNotFound:
      Problem(status: 404, code: "message_not_found", title: "No such message", detail: description)
    case .invalidPolicy:
      Problem(status: 400, code: "invalid_queue_policy", title: "Invalid queue policy", detail: description)
    case .system, .notRegularFile:
      Problem(status: 500, code: "spool_failure", title: "Spool failure", detail: description)
    }
  }
}

/// `take` found nothing ready: exit 75, try again later.
package struct QueueEmpty: Error, ProblemConvertible {
  package var queue: String

  package var problem: Problem {
    Problem(
      status: 503, code: "queue_empty", title: "Nothing to take",
      detail: "no message in queue \"\(queue)\" is ready; try again later")
  }
}

/// `queue work` was given a program that does not exist or cannot be run: a usage error
/// (exit 64), with the program named.
package struct ProgramNotFound: Error, ProblemConvertible {
  package var program: String

  package var problem: Problem {
    Problem(
      status: 400, code: "program_not_found", title: "Program not found",
      detail: "\(program): no such program, or it is not executable (a name without a slash is looked up on PATH)")
  }
}
