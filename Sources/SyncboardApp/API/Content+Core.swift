import SyncboardCore
import Vapor

// The core's catalogue is served as it is (GET /api/v1/catalog).
extension SyncCatalog: Content {}
extension JobRun.Mode: Content {}
