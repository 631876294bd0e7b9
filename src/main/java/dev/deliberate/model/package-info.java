/**
 * Model endpoints: the {@link dev.deliberate.model.Endpoint} SPI, its request and reply records, the classified
 * {@link dev.deliberate.model.BackendException} family and the {@link dev.deliberate.model.EndpointRegistry}.
 *
 * <p>Depends on nothing else of ours; endpoint kinds live in sub-packages.
 */
@NullMarked
package dev.deliberate.model;

import org.jspecify.annotations.NullMarked;
