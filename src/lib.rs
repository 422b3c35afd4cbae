//! Workspace-level package: owns tests, benches and examples.
