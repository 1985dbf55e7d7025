"""Quality a marketer can see: answer checks, knowledge gaps, provable forgetting (above answer and marketing)."""
