package tfpeft.peft;

import org.tensorflow.Session;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.Net;

/** What a method sees before export: the trained graph and its session. */
public record ExportContext(RunConfig config, Net net, Session session) {}
