"""What people share: assistants, who may see and change them, chats, and knowledge-base health."""
