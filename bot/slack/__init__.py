"""The Slack adapter: slack-bolt's ``AsyncApp`` in Socket Mode or HTTP mode (see ``run_slack``)."""

from .app import Outcome, SlackBot, build_app
from .runner import SlackService, SlackStartupError, run_slack, start_slack

__all__ = ["Outcome", "SlackBot", "SlackService", "SlackStartupError", "build_app", "run_slack", "start_slack"]
