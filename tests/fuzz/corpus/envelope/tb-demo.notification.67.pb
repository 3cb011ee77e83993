
ov6/order-1/remindtb-demo€ØÁ¢Œ4²F
ov6/order-1/remindorder-113800138000 (2payment_reminderBOV-6