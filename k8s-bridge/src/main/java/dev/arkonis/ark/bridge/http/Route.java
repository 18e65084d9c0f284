package dev.arkonis.ark.bridge.http;

import java.util.concurrent.CompletionStage;

/**
 * What an {@link EmbeddedServer} answers on a path. Runs on a request thread; an answer that is
 * known only later (e.g. when a workflow finished) is returned as an incomplete stage, which holds
 * no thread while it waits. An exception or a failed stage is answered with a generic 500 (the
 * exception is logged at WARN with the path, never sent to the client).
 */
@FunctionalInterface
public interface Route {
  CompletionStage<Reply> handle(Exchange exchange) throws Exception;
}
