/// `docs/openapi.yaml`, compiled into the binary so that `GET /openapi.yaml` needs no files.
package enum OpenAPIDocument {
  package static var bytes: [UInt8] { PackageResources.openapi_yaml }
}
