// User feedback: what a person says about a problem, sent to Sentry's User
// Feedback page, linked to the error it is about when there is one.
//
//   const sentry::EventId event_id = sentry::CaptureException(error);
//   ...  // the user describes what happened
//   sentry::Feedback feedback;
//   feedback.message = "The export stopped at 80%";
//   feedback.contact_email = "ann@example.com";
//   feedback.associated_event_id = event_id;
//   sentry::CaptureFeedback(std::move(feedback));
//
// A feedback is queued like an event and sent (a `feedback` item, rate-limit
// category `feedback`) by the SDK's worker thread with the current scope's
// tags, user, contexts and trace, after Options::before_send_feedback.
#ifndef SENTRY_FEEDBACK_H_
#define SENTRY_FEEDBACK_H_

#include <string>

#include "sentry/event_id.h"

namespace sentry {

struct Feedback {
  // Required; cut at 4,096 characters (Sentry's limit).
  std::string message;
  std::string contact_email;
  std::string name;
  // The event the feedback is about (32 hex digits, or a dashed UUID).
  std::string associated_event_id;
  // Where it was given (a page, a command).
  std::string url;
};

// Queues the feedback; returns its event id, or an empty id when nothing was
// queued (no enabled SDK, an empty message or an invalid associated_event_id:
// the debug log says why, or a full queue).
EventId CaptureFeedback(Feedback feedback);

}  // namespace sentry

#endif  // SENTRY_FEEDBACK_H_
