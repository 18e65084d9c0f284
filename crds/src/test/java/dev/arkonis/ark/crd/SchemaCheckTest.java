package dev.arkonis.ark.crd;

import static dev.arkonis.ark.crd.CrdFiles.schema;
import static dev.arkonis.ark.crd.CrdFiles.version;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/** {@link SchemaCheck} reports each kind of mistake it looks for. */
class SchemaCheckTest {

  @Test
  void aBrokenCrdIsReported() {
    CustomResourceDefinition broken =
        Serialization.unmarshal(
            """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: arkbrokens.arkonis.dev}
            spec:
              group: arkonis.dev
              names: {kind: ArkBroken, plural: arkbrokens}
              scope: Namespaced
              versions:
              - name: v1alpha1
                served: true
                storage: true
                additionalPrinterColumns:
                - {name: Model, type: string, jsonPath: .spec.modle}
                - {name: Odd, type: text, jsonPath: .spec.model}
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      metadata: {type: object, description: not allowed here}
                      spec:
                        description: Spec.
                        type: object
                        properties:
                          model: {type: string}
                          untyped: {description: No type.}
                          both:
                            description: Properties and additionalProperties.
                            type: object
                            properties: {a: {type: string, description: A.}}
                            additionalProperties: {type: string}
                          items:
                            description: List map keyed by an optional field.
                            type: array
                            x-kubernetes-list-type: map
                            x-kubernetes-list-map-keys: [name]
                            x-kubernetes-validations:
                            - rule: self.size() > 0
                            items:
                              type: object
                              properties:
                                name: {type: string, description: Name.}
            """,
            CustomResourceDefinition.class);

    assertThat(SchemaCheck.violations(schema(broken)))
        .anySatisfy(v -> assertThat(v).startsWith("metadata:"))
        .anySatisfy(v -> assertThat(v).startsWith("spec.model: no description"))
        .anySatisfy(v -> assertThat(v).startsWith("spec.untyped: no type"))
        .anySatisfy(v -> assertThat(v).startsWith("spec.both: both properties"))
        .anySatisfy(v -> assertThat(v).startsWith("spec.items: list-map key name"))
        .anySatisfy(v -> assertThat(v).startsWith("spec.items: CEL rule without message"));
    assertThat(SchemaCheck.columnViolations(version(broken)))
        .anySatisfy(v -> assertThat(v).contains(".spec.modle"))
        .anySatisfy(v -> assertThat(v).contains("type text"));
  }
}
