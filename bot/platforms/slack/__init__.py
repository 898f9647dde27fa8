"""The Slack adapter: slack-bolt's ``AsyncApp`` in Socket Mode or HTTP mode (see ``run_slack``)."""

from .handlers import Outcome, SlackBot, build_app
from .runner import RunningSlack, SlackStartupError, run_slack, start_slack

__all__ = ["Outcome", "SlackBot", "RunningSlack", "SlackStartupError", "build_app", "run_slack", "start_slack"]
