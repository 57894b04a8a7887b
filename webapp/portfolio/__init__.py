"""The portfolio: every assessment a person may see, side by side, with trends and exports."""
