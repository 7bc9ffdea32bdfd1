import Foundation

/// The patch formats the double accepts, by content type.
enum PatchType: Sendable {
    case strategicMerge
    case merge

    init?(contentType: String) {
        switch contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "application/strategic-merge-patch+json": self = .strategicMerge
        case "application/merge-patch+json": self = .merge
        default: return nil
        }
    }
}
