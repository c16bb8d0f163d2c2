// swift-tools-version:6.2
import PackageDescription

// Dependencies point one way: SyncboardApp → SyncEngines → GoogleClient → SyncboardCore.
// The core never imports Vapor or Fluent (see ../shared/design/architecture.md).
let package = Package(
    name: "syncboard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "syncboard", targets: ["syncboard"]),
        .executable(name: "google-emulator", targets: ["google-emulator"]),
        .executable(name: "microsoft-emulator", targets: ["microsoft-emulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/JohnSundell/Plot.git", from: "0.14.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // OpenTelemetry traces over OTLP/HTTP only (the gRPC exporter's dependencies are not built).
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        // The API's OpenAPI 3.0 document as typed values (docs/api.md says why this and not the generator).
        .package(url: "https://github.com/mattpolzin/OpenAPIKit.git", from: "6.4.0"),
    ],
    targets: [
        // Domain: job spec, cadence and cron, the transformer/filter catalogue, CalendarSync semantics.
        .target(name: "SyncboardCore"),

        // RFC 5545 recurrence (RRULE, RDATE, EXDATE, occurrence identities): Foundation only, a leaf the core,
        // emulators and feed parser can all use.
        .target(name: "Recurrence"),

        // What the provider clients share over HTTP: a call whose whole answer, body included, is within a deadline;
        // an OAuth form post; an OpenID provider's signing keys; a span per call.
        .target(
            name: "ProviderHTTP",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),

        // OAuth 2.0 / OpenID Connect and Calendar API v3 over HTTP, with typed errors and configurable endpoints.
        .target(
            name: "GoogleClient",
            dependencies: [
                "SyncboardCore",
                "ProviderHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),

        // Microsoft identity platform v2.0 and Microsoft Graph's calendar API over HTTP, as a calendar provider (issue 28 §2–3).
        .target(
            name: "MicrosoftClient",
            dependencies: [
                "SyncboardCore",
                "ProviderHTTP",
                "Recurrence",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),

        // Published iCalendar feeds (issue 29) as a read-only calendar provider: the fetcher (conditional GET, gzip,
        // limits, redirects re-checked against the address policy) and the provider over the Recurrence parser.
        .target(
            name: "FeedClient",
            dependencies: [
                "SyncboardCore",
                "Recurrence",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // SyncEngine: the CalendarSync CLI engine (YAML config, age auth storage, child process) and the built-in engine,
        // which reaches calendars only through the core's provider types (never a provider's client).
        .target(
            name: "SyncEngines",
            dependencies: [
                "SyncboardCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The Vapor application: configuration, storage, sessions, controllers, views, scheduler, telemetry.
        .target(
            name: "SyncboardApp",
            dependencies: [
                "SyncboardCore",
                "GoogleClient",
                "MicrosoftClient",
                "FeedClient",
                "SyncEngines",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Plot", package: "Plot"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "OpenAPIKit30", package: "OpenAPIKit"),
            ]
        ),

        // What the two emulators share: the JSON documents they store, their signing key and JWKS, their server's lifecycle.
        .target(
            name: "EmulatorSupport",
            dependencies: [
                .product(name: "Vapor", package: "vapor"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),

        // A local stand-in for Google's OAuth, OpenID Connect and Calendar API endpoints (tests and demo mode).
        .target(
            name: "GoogleEmulator",
            dependencies: [
                "Recurrence", "EmulatorSupport",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "google-emulator",
            dependencies: ["GoogleEmulator", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // A local stand-in for the Microsoft identity platform v2.0 and Microsoft Graph's calendar endpoints (issue 28 §5).
        .target(
            name: "MicrosoftEmulator",
            dependencies: [
                "Recurrence", "EmulatorSupport",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "microsoft-emulator",
            dependencies: ["MicrosoftEmulator", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // Measures one built-in sync run against the Google or the Microsoft emulator (benchmarks/builtin-engine.sh); not shipped.
        .executableTarget(
            name: "engine-benchmark",
            dependencies: [
                "SyncEngines", "GoogleClient", "GoogleEmulator", "MicrosoftClient", "MicrosoftEmulator", "FeedClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .executableTarget(
            name: "syncboard",
            dependencies: [
                "SyncboardApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // What the test targets share: each emulator, and an HTTP client, started, seeded and shut down one way.
        .target(name: "EmulatorTestKit", dependencies: [
            "GoogleEmulator", "MicrosoftEmulator", .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Vapor", package: "vapor"),
        ], path: "Tests/EmulatorTestKit"),

        .testTarget(name: "SyncboardCoreTests", dependencies: ["SyncboardCore"]),
        // Fixtures/expand.py is the python-dateutil reference the cross-check runs.
        .testTarget(name: "RecurrenceTests", dependencies: ["Recurrence"], exclude: ["Fixtures"]),
        .testTarget(
            name: "GoogleClientTests",
            dependencies: [
                "EmulatorTestKit",
                "GoogleClient",
                "GoogleEmulator",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "GoogleEmulatorTests",
            dependencies: [
                "GoogleEmulator",
                "EmulatorTestKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "MicrosoftEmulatorTests",
            dependencies: [
                "EmulatorTestKit",
                "MicrosoftEmulator",
                "Recurrence",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "MicrosoftClientTests",
            dependencies: [
                "EmulatorTestKit",
                "MicrosoftClient",
                "MicrosoftEmulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),
        .testTarget(
            name: "FeedClientTests",
            dependencies: [
                "FeedClient",
                "SyncboardCore",
                "SyncEngines",
                "Recurrence",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "SyncEnginesTests",
            dependencies: [
                "SyncEngines",
                "EmulatorTestKit",
                "GoogleClient",
                "GoogleEmulator",
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "SyncboardAppTests",
            dependencies: [
                "SyncboardApp",
                "GoogleClient",
                "GoogleEmulator",
                "MicrosoftClient",
                "MicrosoftEmulator",
                "EmulatorTestKit",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "OpenAPIKit30", package: "OpenAPIKit"),
            ],
            exclude: ["Fixtures"]
        ),
    ]
)
